// Helpers shared by the test targets: throwaway PostgreSQL clusters,
// spawning the real binaries, reading their logs.
