import CPosixShims

/// The commit this binary was built from, embedded by the release build
/// (`swift build -c release -Xcc -DPADDOCK_COMMIT=$(git rev-parse --short HEAD)`);
/// `unknown` for a build without it. Here because only this module reaches
/// the C shims.
public enum BuildCommit {
    public static let string = String(cString: paddock_build_commit())
}
