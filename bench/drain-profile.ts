// A CPU profile of one timed section only (the engine draining a backlog), not of the set-up
// around it: `node --cpu-prof` would also profile publishing the backlog and the baseline.
// Open the file in Chrome DevTools (Performance → Load profile) or speedscope.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface SectionProfile {
  stop(): Promise<void>;
}

export async function startProfile(file: string | undefined): Promise<SectionProfile> {
  if (!file) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.error(`bench: CPU profile of the timed section in ${file}`);
    },
  };
}
