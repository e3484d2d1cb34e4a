import XCTest

/// The API contract on SQLite in memory: a fresh database per test.
///
/// XCTest on Linux discovers only the test methods a class declares itself,
/// so each backend lists the suite's checks; keep this list and the one in
/// `PostgresAPIContractTests` in step with `APIContractSuite+*.swift`.
final class SQLiteAPIContractTests: APIContractSuite {
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
