//! `jixiao serve` in a real browser: placeholder replaced below.
