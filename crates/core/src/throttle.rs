//! Login throttling. Failures are counted per login name and per client address in a sliding
//! window; the decision is the same whether the login exists or not, so throttling reveals nothing.

use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub window: Duration,
    /// Failed attempts on one login name before it is locked for the rest of the window.
    pub per_login: i64,
    /// Failed attempts from one address (across names) before it is locked: password spraying.
    pub per_ip: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            window: Duration::minutes(15),
            per_login: 5,
            per_ip: 30,
        }
    }
}

impl ThrottlePolicy {
    /// Given the failures already recorded in the window, may another attempt be checked?
    pub fn allows(&self, login_failures: i64, ip_failures: i64) -> bool {
        login_failures < self.per_login && ip_failures < self.per_ip
    }

    pub fn window_minutes(&self) -> i64 {
        self.window.num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_after_five_failures_is_refused() {
        let p = ThrottlePolicy::default();
        assert!(p.allows(4, 4));
        assert!(!p.allows(5, 5));
        assert!(
            !p.allows(0, 30),
            "one address spraying many names is refused too"
        );
    }
}
