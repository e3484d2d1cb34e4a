extension ServerProcess {
    /// `Examples/hello`'s own executable: the example package's sources,
    /// compiled by this package too (see Package.swift, target `hello`).
    public static var helloBinary: String { productsDirectory + "/hello" }
}
