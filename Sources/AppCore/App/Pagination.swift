import ServerCore

/// `?page=&per_page=` as Flask-SQLAlchemy's `db.paginate` reads them:
/// defaults 1 and 20, `per_page` capped at 100, `pages = ceil(total / per_page)`.
struct Pagination: Equatable {
    static let defaultPerPage = 20
    static let maxPerPage = 100

    let page: Int
    let perPage: Int

    init(page: Int, perPage: Int) {
        self.page = page
        self.perPage = perPage
    }

    /// Reads the query; a value that is not an integer, or is below 1, is a 400.
    init(_ request: HTTPRequest) throws(APIError) {
        page = try Self.positiveInteger(request.queryValue("page"), name: "page") ?? 1
        perPage = min(try Self.positiveInteger(request.queryValue("per_page"), name: "per_page") ?? Self.defaultPerPage, Self.maxPerPage)
    }

    private static func positiveInteger(_ text: String?, name: String) throws(APIError) -> Int? {
        guard let text else { return nil }
        guard let v = Int(text), v >= 1 else { throw .badRequest("'\(name)' must be a positive integer") }
        return v
    }

    /// Rows to skip; nil when the page lies beyond any possible row (the list is empty).
    var offset: Int? {
        let (o, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? nil : o
    }

    func pages(total: Int) -> Int { total == 0 ? 0 : (total + perPage - 1) / perPage }
}
