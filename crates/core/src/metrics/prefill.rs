//! A model of prefill time as a function of prompt length, for TTFT deadlines
//! that grow with the prompt (Etalon's capacity mode: deadline = predicted
//! prefill time + a slack). Etalon profiles the endpoint at several prompt
//! lengths and fits prefill time against polynomial features of the length
//! (degree 2); here the fit is ordinary least squares on those features,
//! solved by a Householder QR factorisation for numerical safety.

use serde::{Deserialize, Serialize};

/// Predicted prefill seconds = `c[0] + c[1]·p + c[2]·p² + …` for a prompt of
/// `p` tokens, never below 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrefillModel {
    /// Polynomial coefficients, constant term first (seconds per token^k).
    pub coefficients: Vec<f64>,
}

/// Why a prefill model could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum PrefillFitError {
    /// Fewer distinct prompt lengths than coefficients to fit.
    TooFewLengths { distinct: usize, needed: usize },
    /// A prompt length or a time is NaN or infinite.
    NotFinite,
}

impl std::fmt::Display for PrefillFitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrefillFitError::TooFewLengths { distinct, needed } => write!(
                f,
                "fitting the prefill time needs {needed} different prompt lengths, got {distinct}"
            ),
            PrefillFitError::NotFinite => {
                write!(f, "a prompt length or prefill time is not a number")
            }
        }
    }
}

impl std::error::Error for PrefillFitError {}

impl PrefillModel {
    /// Etalon's polynomial degree for the prefill time predictor.
    pub const DEFAULT_DEGREE: usize = 2;

    /// Least-squares fit of a polynomial of `degree` to
    /// `(prompt_tokens, prefill_seconds)` points (e.g. the smallest TTFT seen
    /// at each profiled prompt length, as Etalon's profiler takes).
    pub fn fit(points: &[(f64, f64)], degree: usize) -> Result<Self, PrefillFitError> {
        if points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
            return Err(PrefillFitError::NotFinite);
        }
        let needed = degree + 1;
        let mut lengths: Vec<f64> = points.iter().map(|p| p.0).collect();
        lengths.sort_by(f64::total_cmp);
        lengths.dedup();
        if lengths.len() < needed {
            return Err(PrefillFitError::TooFewLengths {
                distinct: lengths.len(),
                needed,
            });
        }
        // Work on lengths scaled to [-1, 1] so the powers stay comparable.
        let scale = lengths.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1.0);
        let rows: Vec<Vec<f64>> = points
            .iter()
            .map(|(x, _)| (0..needed).map(|j| (x / scale).powi(j as i32)).collect())
            .collect();
        let targets: Vec<f64> = points.iter().map(|p| p.1).collect();
        let scaled = least_squares(rows, targets, needed);
        let coefficients = scaled
            .iter()
            .enumerate()
            .map(|(j, c)| c / scale.powi(j as i32))
            .collect();
        Ok(PrefillModel { coefficients })
    }

    /// Predicted prefill time (seconds) for a prompt of `prompt_tokens`,
    /// clamped at 0.
    pub fn predict(&self, prompt_tokens: f64) -> f64 {
        let value = self
            .coefficients
            .iter()
            .rev()
            .fold(0.0, |acc, c| acc * prompt_tokens + c);
        value.max(0.0)
    }

    /// Root mean squared error of the predictions on `points`.
    pub fn rmse(&self, points: &[(f64, f64)]) -> f64 {
        let squares: f64 = points
            .iter()
            .map(|(x, y)| (self.predict(*x) - y).powi(2))
            .sum();
        (squares / points.len().max(1) as f64).sqrt()
    }
}

/// Solves min |A c - b| for `columns` unknowns by Householder QR; `rows` is A.
// Column operations read best with indices.
#[allow(clippy::needless_range_loop)]
fn least_squares(mut a: Vec<Vec<f64>>, mut b: Vec<f64>, columns: usize) -> Vec<f64> {
    let m = a.len();
    for j in 0..columns {
        let norm = (j..m).map(|i| a[i][j] * a[i][j]).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = (j..m).map(|i| a[i][j]).collect();
        v[0] -= alpha;
        let v_norm2: f64 = v.iter().map(|x| x * x).sum();
        if v_norm2 == 0.0 {
            continue;
        }
        for col in j..columns {
            let dot: f64 = (j..m).map(|i| v[i - j] * a[i][col]).sum();
            let factor = 2.0 * dot / v_norm2;
            for i in j..m {
                a[i][col] -= factor * v[i - j];
            }
        }
        let dot: f64 = (j..m).map(|i| v[i - j] * b[i]).sum();
        let factor = 2.0 * dot / v_norm2;
        for i in j..m {
            b[i] -= factor * v[i - j];
        }
    }
    // Back substitution on the upper triangle.
    let mut c = vec![0.0; columns];
    for j in (0..columns).rev() {
        let rest: f64 = (j + 1..columns).map(|k| a[j][k] * c[k]).sum();
        c[j] = if a[j][j] == 0.0 {
            0.0
        } else {
            (b[j] - rest) / a[j][j]
        };
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_quadratic() {
        // Etalon profiles powers of two from 256 to 16K tokens.
        let truth = |p: f64| 0.02 + 3.0e-5 * p + 2.0e-9 * p * p;
        let points: Vec<(f64, f64)> = (8..15)
            .map(|i| 2f64.powi(i))
            .map(|p| (p, truth(p)))
            .collect();
        let model = PrefillModel::fit(&points, PrefillModel::DEFAULT_DEGREE).unwrap();
        for p in [256.0, 1000.0, 5000.0, 16384.0] {
            assert!(
                (model.predict(p) - truth(p)).abs() < 1e-9,
                "{p}: {}",
                model.predict(p)
            );
        }
        assert!(model.rmse(&points) < 1e-9);
    }

    #[test]
    fn fits_noisy_points_in_the_least_squares_sense() {
        // A line through noisy points: the residuals sum to zero.
        let points = [(1.0, 1.1), (2.0, 1.9), (3.0, 3.2), (4.0, 3.8)];
        let model = PrefillModel::fit(&points, 1).unwrap();
        let residual: f64 = points.iter().map(|(x, y)| y - model.predict(*x)).sum();
        assert!(residual.abs() < 1e-12);
        assert!((model.coefficients[1] - 0.94).abs() < 1e-12);
    }

    #[test]
    fn too_few_lengths_is_an_error() {
        let points = [(512.0, 0.1), (512.0, 0.11)];
        let error = PrefillModel::fit(&points, 2).unwrap_err();
        assert_eq!(
            error,
            PrefillFitError::TooFewLengths {
                distinct: 1,
                needed: 3
            }
        );
        assert!(PrefillModel::fit(&[(f64::NAN, 1.0)], 0).is_err());
    }

    #[test]
    fn prediction_never_negative() {
        let model = PrefillModel {
            coefficients: vec![-1.0, 0.001],
        };
        assert_eq!(model.predict(10.0), 0.0);
        assert!((model.predict(2000.0) - 1.0).abs() < 1e-12);
    }
}
