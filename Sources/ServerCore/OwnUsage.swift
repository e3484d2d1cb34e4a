import Posix

/// The figures the master and every worker publish about themselves into
/// the scoreboard: CPU time, PSS and open descriptors. A figure that cannot
/// be read keeps its last value, and CPU time never goes backwards.
enum OwnUsage {
    static func store(cpu: UnsafeMutablePointer<UInt64>, pss: UnsafeMutablePointer<UInt64>, openFDs: UnsafeMutablePointer<UInt64>) {
        do { cpu.pointee = max(cpu.pointee, try Process.cpuNanoseconds(.own)) } catch {
            // getrusage(RUSAGE_SELF) fails only on a bad argument: keep the last value
        }
        if let bytes = Process.proportionalSetBytes() { pss.pointee = UInt64(bytes) }
        do { openFDs.pointee = UInt64(try Process.openDescriptorCount()) } catch {
            // /proc unreadable (EMFILE at the limit): keep the last count
        }
    }
}
