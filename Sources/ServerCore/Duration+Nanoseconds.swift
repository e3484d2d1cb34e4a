extension Duration {
    /// Whole nanoseconds (non-negative durations only; a negative one is 0),
    /// the unit of the monotonic clock every deadline is kept in.
    public var nanoseconds: UInt64 {
        let (s, a) = components
        return UInt64(max(0, s)) * 1_000_000_000 + UInt64(max(0, a / 1_000_000_000))
    }
}
