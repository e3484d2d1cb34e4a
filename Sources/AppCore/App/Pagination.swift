import Paddock
import PaddockSQL

/// `?page=&per_page=` as Flask-SQLAlchemy's `db.paginate` reads them:
/// defaults 1 and 20, `per_page` capped at 100, `pages = ceil(total / per_page)`.
struct Pagination: Equatable {
    static let defaultPerPage = 20
    static let maxPerPage = 100

    let page: Int
    let perPage: Int
    /// `?after_id=`: the list from the first id above this one, for clients
    /// that walk the whole list (a seek, whatever the depth). Nil: by `page`.
    let afterID: Int?

    init(page: Int, perPage: Int, afterID: Int? = nil) {
        self.page = page
        self.perPage = perPage
        self.afterID = afterID
    }

    /// Reads the query; a value that is not an integer, or is below 1, is a
    /// 400. `after_id` may be 0 (the start) and excludes `page`.
    init(_ request: HTTPRequest, allowsCursor: Bool = false) throws(APIError) {
        let page = try Self.integer(request.queryValue("page"), name: "page", minimum: 1)
        perPage = min(try Self.integer(request.queryValue("per_page"), name: "per_page", minimum: 1) ?? Self.defaultPerPage, Self.maxPerPage)
        afterID = allowsCursor ? try Self.integer(request.queryValue("after_id"), name: "after_id", minimum: 0) : nil
        if afterID != nil, page != nil { throw .badRequest("give 'page' or 'after_id', not both") }
        self.page = page ?? 1
    }

    private static func integer(_ text: String?, name: String, minimum: Int) throws(APIError) -> Int? {
        guard let text else { return nil }
        guard let v = Int(text), v >= minimum else {
            throw .badRequest(minimum == 1 ? "'\(name)' must be a positive integer" : "'\(name)' must be an integer of at least \(minimum)")
        }
        return v
    }

    /// Rows to skip; nil when the page lies beyond any possible row (the list is empty).
    var offset: Int? {
        let (o, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? nil : o
    }

    func pages(total: Int) -> Int { total == 0 ? 0 : (total + perPage - 1) / perPage }
}
