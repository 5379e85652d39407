// Which views a caller sees, from the roles GET /api/v1/me gives. The API decides what a role may
// do; the app only leaves out what would answer 403 anyway.

export type Role = 'admin' | 'analyst' | 'dispatcher';

export type ViewName = 'dispatch' | 'analysis' | 'investigation' | 'rules';

export interface ViewSpec {
  name: ViewName;
  title: string;
  /** Roles besides admin that may use the view (admin always may), as the API's routes allow. */
  roles: readonly Role[];
}

export const VIEWS: readonly ViewSpec[] = [
  { name: 'dispatch', title: 'Dispatch', roles: ['dispatcher'] },
  { name: 'analysis', title: 'Analysis', roles: ['analyst'] },
  { name: 'investigation', title: 'Investigation', roles: ['analyst'] },
  { name: 'rules', title: 'Rules', roles: [] },
];

export function mayUse(roles: readonly string[], view: ViewSpec): boolean {
  return roles.includes('admin') || view.roles.some((r) => roles.includes(r));
}

export function viewsFor(roles: readonly string[]): ViewSpec[] {
  return VIEWS.filter((v) => mayUse(roles, v));
}

/** What a 403 tells the user: the role the action needs, and the roles they hold. */
export function forbiddenMessage(action: string, needs: readonly Role[], have: readonly string[]): string {
  const roles = [...needs, 'admin'].join(' or ');
  return `${action} needs the ${roles} role; you are signed in as ${have.join(', ') || 'no role'}.`;
}
