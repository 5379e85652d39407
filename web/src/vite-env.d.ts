// CSS imports and the rest of what Vite adds to a module.
/// <reference types="vite/client" />
