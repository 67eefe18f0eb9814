//! Root of the model object in the "sampler owns main" build: exports the hand-written model's
//! `Program` under the symbol the prebuilt sampler object (`exe_main.zig`) links against. The code
//! generator would emit `export const sev_program = ...;` in the model file itself.

const es = @import("es");

export const sev_program = es.program;
