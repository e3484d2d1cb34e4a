import ServerCore

/// A request matched to a route: the request and the parameters its
/// pattern took from the path.
public struct RoutedRequest: Sendable {
    public let request: HTTPRequest
    public let parameters: PathParameters

    public init(request: HTTPRequest, parameters: PathParameters) {
        self.request = request
        self.parameters = parameters
    }
}
