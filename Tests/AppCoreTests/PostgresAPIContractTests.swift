import Foundation
import XCTest
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// The whole API contract again, on a real PostgreSQL: every check of
/// `APIContractSuite`, each on a fresh database of one throwaway cluster
/// shared by the class.
final class PostgresAPIContractTests: APIContractSuite {
    static let cluster = ClassPostgresCluster(databasePrefix: "api")

    override class func setUp() {
        super.setUp()
        cluster.start()
    }

    override class func tearDown() {
        cluster.destroy()
        super.tearDown()
    }

    override func databaseURL() throws -> String { try Self.cluster.freshDatabaseURL() }

    /// Each session gets the configured statement timeout and UTC, so
    /// timestamps come back in one format.
    func testSessionSettings() throws {
        let row = try app.db.queryOne(SQLStatement("session_settings", "SELECT current_setting('statement_timeout'), current_setting('TimeZone')"), [])
        XCTAssertEqual(row?.text(0), "10s")
        XCTAssertEqual(row?.text(1), "UTC")
    }

    // The suite's checks; see `SQLiteAPIContractTests` for why they are listed.
    func testRegisterReturnsUserWithoutPasswordHash() throws { checkRegisterReturnsUserWithoutPasswordHash() }
    func testRegisterDuplicateEmailIsConflict() throws { checkRegisterDuplicateEmailIsConflict() }
    func testRegisterValidation() throws { checkRegisterValidation() }
    func testRegisterAcceptsLimitsAndIgnoresUnknownFields() throws { checkRegisterAcceptsLimitsAndIgnoresUnknownFields() }
    func testLoginReturnsTokensAndUser() throws { checkLoginReturnsTokensAndUser() }
    func testLoginFailures() throws { checkLoginFailures() }
    func testRefreshNeedsRefreshToken() throws { checkRefreshNeedsRefreshToken() }
    func testExpiredTokenIsRejected() throws { checkExpiredTokenIsRejected() }
    func testMe() throws { checkMe() }
    func testDeletedUsersTokensStopWorking() throws { checkDeletedUsersTokensStopWorking() }
    func testAuthorizationMatrix() throws { checkAuthorizationMatrix() }
    func testCORSPreflightAndResponses() throws { try checkCORSPreflightAndResponses() }
    func testNoCORSHeadersByDefault() throws { checkNoCORSHeadersByDefault() }
    func testUnknownRoutesAre404JSON() throws { checkUnknownRoutesAre404JSON() }
    func testWrongMethodIs405WithAllow() throws { checkWrongMethodIs405WithAllow() }
    func testOptionsWithoutCORSListsMethods() throws { checkOptionsWithoutCORSListsMethods() }
    func testHeadIsServedLikeGet() throws { checkHeadIsServedLikeGet() }
    func testUnexpectedFailureIs500WithoutDetailsAndLogged() throws { try checkUnexpectedFailureIs500WithoutDetailsAndLogged() }
    func testHealthAnswersWithoutDatabase() throws { checkHealthAnswersWithoutDatabase() }
    func testReadyChecksDatabase() throws { checkReadyChecksDatabase() }
    func testUsersPagination() throws { checkUsersPagination() }
    func testPaginationRejectsBadNumbers() throws { checkPaginationRejectsBadNumbers() }
    func testPostsPagination() throws { checkPostsPagination() }
    func testEmptyUserList() throws { checkEmptyUserList() }
    func testCreateAndGetPost() throws { checkCreateAndGetPost() }
    func testCreatePostErrors() throws { checkCreatePostErrors() }
    func testUpdatePost() throws { checkUpdatePost() }
    func testDeletePost() throws { checkDeletePost() }
    func testUserPostsNewestFirst() throws { checkUserPostsNewestFirst() }
    func testGetUser() throws { checkGetUser() }
    func testUpdateOwnUser() throws { checkUpdateOwnUser() }
    func testUpdateUserErrors() throws { checkUpdateUserErrors() }
    func testDeleteUserDeletesPosts() throws { checkDeleteUserDeletesPosts() }
    func testIdsAreNeverReused() throws { checkIdsAreNeverReused() }
    func testPasswordChangeRevokesEarlierTokens() throws { checkPasswordChangeRevokesEarlierTokens() }
    func testDeletedUsersTokensNeverActAsTheNextHolderOfTheId() throws { try checkDeletedUsersTokensNeverActAsTheNextHolderOfTheId() }
    func testPasswordLengthIsCapped() throws { checkPasswordLengthIsCapped() }
    func testTokenSubjectMustBeCanonical() throws { checkTokenSubjectMustBeCanonical() }
    func testOutOfRangeIdsAreNotFound() throws { checkOutOfRangeIdsAreNotFound() }
    func testFlaskIssuedTokensFollowTheSameRules() throws { try checkFlaskIssuedTokensFollowTheSameRules() }
    func testNoTokensAreIssuedAgainstAPasswordThatJustChanged() throws { try checkNoTokensAreIssuedAgainstAPasswordThatJustChanged() }
}
