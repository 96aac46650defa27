import Foundation

/// Network transfers on their own threads: they wait on the network, not the CPU, so they are
/// not bounded by the core count as `Parallel` is. `TRAIL_MEDIA_TRANSFERS` sets how many run at once.
enum Transfers {
    /// How many transfers run at once (default 16).
    static var width: Int {
        ProcessInfo.processInfo.environment["TRAIL_MEDIA_TRANSFERS"].flatMap(Int.init).map { max(1, $0) } ?? 16
    }

    /// The next item to start and the first failure, shared by the threads.
    private final class Queue: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var failure: Error?
        let count: Int
        init(count: Int) { self.count = count }

        /// The next index to work on, or nil when all are taken or one failed.
        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard failure == nil, next < count else { return nil }
            next += 1
            return next - 1
        }

        func fail(_ error: Error) {
            lock.lock(); defer { lock.unlock() }
            if failure == nil { failure = error }
        }
    }

    /// Runs `body` for every index in 0..<count on up to `width` threads; after the first error no
    /// new item starts, and that error is thrown once every thread has stopped.
    static func run(count: Int, width: Int = Transfers.width, _ body: @escaping (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let queue = Queue(count: count)
        let group = DispatchGroup()
        for _ in 0..<min(width, count) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while let i = queue.take() {
                    do { try body(i) } catch { queue.fail(error); return }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        if let failure = queue.failure { throw failure }
    }
}
