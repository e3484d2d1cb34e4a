/// A line of a Python config file that is outside the supported subset.
struct PythonSyntaxError: Error {
    let line: Int
    let message: String
}
