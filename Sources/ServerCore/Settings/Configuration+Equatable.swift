/// Two configurations are equal when every setting has the same value; where
/// a value came from is not part of it. That is the question a reload asks
/// ("did anything change?") and what a serialize/parse round trip preserves.
extension Configuration: Equatable {
    public static func == (lhs: Configuration, rhs: Configuration) -> Bool {
        lhs.values == rhs.values
    }
}
