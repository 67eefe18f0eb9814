//! The compiled program's random generator, draw for draw: Zig 0.14.1's `std.Random.DefaultPrng`
//! (Xoshiro256++ seeded through SplitMix64) and the `std.Random` helpers the runtime's samplers
//! call (`float(f64)`, `boolean`, `uintLessThan`/`intRangeAtMost`, and `floatNorm`/`floatExp` by
//! the ziggurat method with Zig's own tables). `runtime/ppl/forward.zig` seeds the stream of
//! the program's first thread with the `SEV_SEED` environment variable when it holds a `u64`
//! (else with bytes from the operating system) plus 0 × 0x9E3779B97F4A7C15; the interpreter
//! runs on that one stream. `libm` holds the math functions the compiled samplers call.

pub mod libm;
mod ziggurat_tables;

use ziggurat_tables::{EXP_F, EXP_X, NORM_F, NORM_X};

/// Xoshiro256++ with Zig's seeding and byte order (little-endian words).
#[derive(Clone, Debug)]
pub struct Prng {
    s: [u64; 4],
}

impl Prng {
    /// `std.Random.DefaultPrng.init(seed)`: four SplitMix64 outputs.
    pub fn new(seed: u64) -> Prng {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Prng { s: [next(), next(), next(), next()] }
    }

    /// The generator of a program's first thread (`forward.random()`): seeded from `SEV_SEED`
    /// when it is an unsigned 64-bit integer, else from the operating system.
    pub fn for_program() -> Prng {
        let seed = std::env::var("SEV_SEED").ok().and_then(|t| t.parse::<u64>().ok()).unwrap_or_else(os_seed);
        Prng::new(seed)
    }

    /// The next 64 bits (`Xoshiro256.next`, also `int(u64)`).
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let r = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }

    /// `float(f64)`: uniform on [0, 1), every representable value reachable (the exponent from
    /// the count of leading zeros, drawing more words while they are all zero).
    pub fn float(&mut self) -> f64 {
        let rand = self.next_u64();
        let mut lz = u64::from(rand.leading_zeros());
        if lz >= 12 {
            lz = 12;
            loop {
                let more = u64::from(self.next_u64().leading_zeros());
                lz += more;
                if more != 64 {
                    break;
                }
                if lz >= 1022 {
                    lz = 1022;
                    break;
                }
            }
        }
        f64::from_bits(((1022 - lz) << 52) | (rand & 0xF_FFFF_FFFF_FFFF))
    }

    /// `boolean()`: the low bit of one word (`int(u1)` fills a byte from a fresh word).
    pub fn boolean(&mut self) -> bool {
        self.next_u64() & 1 != 0
    }

    /// `uintLessThan(u64, n)`, n > 0: Lemire's multiply-and-reject.
    pub fn uint_less_than(&mut self, n: u64) -> u64 {
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut l = m as u64;
        if l < n {
            let mut t = n.wrapping_neg();
            if t >= n {
                t -= n;
                if t >= n {
                    t %= n;
                }
            }
            while l < t {
                m = u128::from(self.next_u64()) * u128::from(n);
                l = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// `intRangeAtMost(i64, lo, hi)`, lo <= hi.
    pub fn int_range_at_most(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as u64).wrapping_sub(lo as u64);
        let offset = if span == u64::MAX { self.next_u64() } else { self.uint_less_than(span + 1) };
        (lo as u64).wrapping_add(offset) as i64
    }

    /// `floatNorm(f64)`: a standard normal draw.
    pub fn float_norm(&mut self) -> f64 {
        self.ziggurat(&NORM, |rng, u| {
            let (mut x, mut y) = (1.0f64, 0.0f64);
            while -2.0 * y < x * x {
                x = libm::log(rng.float()) / NORM_R;
                y = libm::log(rng.float());
            }
            if u < 0.0 { x - NORM_R } else { NORM_R - x }
        })
    }

    /// `floatExp(f64)`: an exponential draw with rate 1.
    pub fn float_exp(&mut self) -> f64 {
        self.ziggurat(&EXP, |rng, _| EXP_R - libm::log(rng.float()))
    }

    /// `ziggurat.next_f64`: one layer from the low byte of a word, the uniform from its top 52
    /// bits, then the edge, base-layer and wedge tests.
    fn ziggurat(&mut self, table: &Ziggurat, zero_case: fn(&mut Prng, f64) -> f64) -> f64 {
        loop {
            let bits = self.next_u64();
            let i = (bits & 0xFF) as usize;
            let u = if table.symmetric {
                f64::from_bits(((0x3ff + 1) << 52) | (bits >> 12)) - 3.0
            } else {
                f64::from_bits((0x3ff << 52) | (bits >> 12)) - (1.0 - f64::EPSILON / 2.0)
            };
            let x = u * f64::from_bits(table.x[i]);
            let test_x = if table.symmetric { x.abs() } else { x };
            if test_x < f64::from_bits(table.x[i + 1]) {
                return x;
            }
            if i == 0 {
                return zero_case(self, u);
            }
            let (f0, f1) = (f64::from_bits(table.f[i]), f64::from_bits(table.f[i + 1]));
            if f1 + (f0 - f1) * self.float() < (table.pdf)(x) {
                return x;
            }
        }
    }
}

/// One of Zig's two ziggurats.
struct Ziggurat {
    x: [u64; 257],
    f: [u64; 257],
    pdf: fn(f64) -> f64,
    symmetric: bool,
}

// Zig's constants as written (more digits than an f64 holds; they round to the same f64).
#[allow(clippy::excessive_precision)]
const NORM_R: f64 = 3.6541528853610088;
#[allow(clippy::excessive_precision)]
const EXP_R: f64 = 7.69711747013104972;

static NORM: Ziggurat = Ziggurat { x: NORM_X, f: NORM_F, pdf: |x| libm::exp(-x * x / 2.0), symmetric: true };
static EXP: Ziggurat = Ziggurat { x: EXP_X, f: EXP_F, pdf: |x| libm::exp(-x), symmetric: false };

/// A seed from the operating system's random bytes (as `std.posix.getrandom`), or the clock.
fn os_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes)).is_ok() {
        return u64::from_le_bytes(bytes);
    }
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zig 0.14.1's own test vector for `Xoshiro256.init(0)` (`std/Random/Xoshiro256.zig`).
    #[test]
    fn the_sequence_of_seed_zero_is_zigs() {
        let mut r = Prng::new(0);
        let want = [0x53175d61490b23df, 0x61da6f3dc380d507, 0x5c0fdf91ec9a7bfc, 0x02eebf8c3bbe5e1a, 0x7eca04ebaf4a5eea, 0x0543c37757f08d9a];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }
}
