//! Python's float floor division (`a // b`), on which the deadline miss counts
//! depend: the reference implementation counts a stall's missed deadlines as
//! `(gap - slack) // tbt_deadline`, and `(a / b).floor()` differs from it when
//! the quotient rounds up to an integer (`1.0 // 0.1 == 9.0` in Python, while
//! `(1.0 / 0.1).floor() == 10.0`).
//!
//! [`floor_div`] is CPython's algorithm, step by step. [`floor_div_fast`] and
//! [`floor_div_by`] give the same result faster and fall back to it only when
//! a cheap quotient cannot decide.

/// Python's `a // b` for floats: the floor of the exact quotient of the two
/// doubles, computed through `fmod` as CPython does (`float_floor_div`).
///
/// Where Python raises `ZeroDivisionError` (`b == 0`) this returns NaN; NaN or
/// infinite operands give what CPython's arithmetic gives (NaN mostly).
pub fn floor_div(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return f64::NAN;
    }
    // `%` on f64 is C's fmod: exact, with the sign of `a`.
    let modulo = a % b;
    let mut div = (a - modulo) / b;
    if modulo != 0.0 && ((b < 0.0) != (modulo < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut floor = div.floor();
        if div - floor > 0.5 {
            floor += 1.0;
        }
        floor
    } else {
        0.0f64.copysign(a / b)
    }
}

/// Same result as [`floor_div`]. The rounded quotient's floor is the exact
/// quotient's floor unless the rounded quotient is an integer (it may have
/// been rounded up onto it); only then is the fmod path taken.
#[inline]
pub fn floor_div_fast(a: f64, b: f64) -> f64 {
    let q = a / b;
    if q > 0.0 && q < 4.0e15 {
        // Truncation is the floor for positive values; cheaper than `floor`
        // where the target has no rounding instruction (x86-64 baseline).
        let floor = (q as i64) as f64;
        if floor != q {
            return floor;
        }
    }
    floor_div(a, b)
}

/// Same result as [`floor_div`], for a divisor whose reciprocal is known
/// (`inverse_b == 1.0 / b`): one multiplication instead of a division. The
/// product is within 2.3e-16 relative of the exact quotient, so its floor is
/// exact whenever it lies farther than 1e-15 relative from an integer;
/// otherwise this defers to [`floor_div_fast`].
#[inline]
pub fn floor_div_by(a: f64, b: f64, inverse_b: f64) -> f64 {
    let q = a * inverse_b;
    if q > 0.0 && q < 1.0e15 {
        let floor = (q as i64) as f64;
        let margin = q * 1.0e-15;
        if q - floor > margin && (floor + 1.0) - q > margin {
            return floor;
        }
    }
    floor_div_fast(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_floor_div_a_tenth_is_nine_as_in_python() {
        assert_eq!(floor_div(1.0, 0.1), 9.0);
        assert_eq!(floor_div_fast(1.0, 0.1), 9.0);
        assert_eq!(floor_div_by(1.0, 0.1, 1.0 / 0.1), 9.0);
        // The naive way is wrong here, which is the whole point.
        assert_eq!((1.0f64 / 0.1).floor(), 10.0);
    }

    #[test]
    fn values_checked_against_cpython() {
        // (a, b, a // b) as printed by CPython 3.
        let cases = [
            (0.3, 0.1, 2.0),
            (0.7, 0.1, 6.0),
            (2.0, 0.2, 9.0),
            (0.6, 0.2, 2.0),
            (0.5, 0.1, 4.0),
            (7.0, 2.0, 3.0),
            (-7.0, 2.0, -4.0),
            (7.0, -2.0, -4.0),
            (-1.0, 0.1, -10.0),
            (0.05, 0.025, 2.0),
            (1e-9, 0.05, 0.0),
        ];
        for (a, b, want) in cases {
            assert_eq!(floor_div(a, b), want, "{a} // {b}");
            assert_eq!(floor_div_fast(a, b), want, "{a} // {b} (fast)");
            assert_eq!(floor_div_by(a, b, 1.0 / b), want, "{a} // {b} (by)");
        }
    }

    #[test]
    fn signed_zero_and_division_by_zero() {
        assert!(floor_div(0.0, 1.0).is_sign_positive());
        assert!(floor_div(-0.0, 1.0).is_sign_negative());
        assert!(floor_div(1.0, 0.0).is_nan());
    }
}
