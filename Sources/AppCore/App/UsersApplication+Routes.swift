import Paddock
import PaddockSQL

extension UsersApplication {
    /// The whole API, one row per method and path (API.md's table).
    static var routes: [Route<Handler>] {[
        Route("GET", "/health", health),
        Route("GET", "/health/ready", healthReady),
        Route("POST", "/auth/register", register),
        Route("POST", "/auth/login", login),
        Route("POST", "/auth/refresh", refresh),
        Route("GET", "/auth/me", me),
        Route("GET", "/api/users", listUsers),
        Route("GET", "/api/users/{id:int}", getUser),
        Route("PUT", "/api/users/{id:int}", updateUser),
        Route("DELETE", "/api/users/{id:int}", deleteUser),
        Route("GET", "/api/users/{id:int}/posts", listPostsOfUser),
        Route("POST", "/api/posts", createPost),
        Route("GET", "/api/posts/{id:int}", getPost),
        Route("PUT", "/api/posts/{id:int}", updatePost),
        Route("DELETE", "/api/posts/{id:int}", deletePost),
    ]}

    /// The metrics' `route` labels, from the table above.
    public var routeTemplates: [String] { router.templates }
}
