import Dispatch
import Foundation

/// Hands values from one thread to another, in order; `take` waits, and returns nil once the
/// producer has finished and everything was taken. Unbounded, so it cannot deadlock even if
/// the two sides end up running one after the other.
final class HandOff<T> {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var items: [T?] = []
    private var head = 0

    func put(_ item: T) {
        lock.lock()
        items.append(item)
        lock.unlock()
        ready.signal()
    }

    func finish() { ready.signal() }

    func take() -> T? {
        ready.wait()
        lock.lock()
        defer { lock.unlock() }
        guard head < items.count else { return nil }
        let item = items[head]
        items[head] = nil  // the consumer owns it now
        head += 1
        return item
    }
}
