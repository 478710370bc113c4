//! How a repeated problem is logged (a full channel, an output that cannot keep up, a file that
//! cannot be written): the first time, then every thousandth, with the running count, so that
//! a long overload stays visible without flooding the log. One rule for every such counter.

/// Whether the `n`th occurrence (counting from 1) is logged.
pub fn worth_logging(n: u64) -> bool {
    n == 1 || (n > 0 && n.is_multiple_of(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_then_every_thousandth() {
        let logged: Vec<u64> = (0..=3000).filter(|&n| worth_logging(n)).collect();
        assert_eq!(logged, vec![1, 1000, 2000, 3000]);
    }
}
