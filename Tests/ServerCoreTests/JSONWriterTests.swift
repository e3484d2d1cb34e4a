import XCTest
import ServerCore

/// The JSON text builder: separators between members and elements at every nesting.
final class JSONWriterTests: XCTestCase {
    private func text(_ build: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        build(&writer)
        return writer.string
    }

    /// A key whose value is a container: the comma before the container's next element
    /// must not be dropped after a nested container (found by fuzzing: `[[[],{}]null]`).
    func testValueAfterNestedContainerInsideAKeyedContainer() {
        XCTAssertEqual(text { w in
            w.beginObject()
            w.key("c")
            w.beginArray()
            w.beginArray(); w.endArray()
            w.null()
            w.value(true)
            w.endArray()
            w.endObject()
        }, #"{"c":[[],null,true]}"#)
        XCTAssertEqual(text { w in
            w.beginObject()
            w.key("o")
            w.beginArray()
            w.beginObject(); w.endObject()
            w.value("x")
            w.endArray()
            w.field("n", 1)
            w.endObject()
        }, #"{"o":[{},"x"],"n":1}"#)
    }

    func testKeyedContainersAndScalars() {
        XCTAssertEqual(text { w in
            w.beginObject()
            w.key("a"); w.beginObject(); w.field("b", 1); w.endObject()
            w.key("l"); w.beginArray(); w.value(1); w.value(2.5); w.endArray()
            w.key("e"); w.beginArray(); w.endArray()
            w.field("s", "q\"\n")
            w.endObject()
        }, #"{"a":{"b":1},"l":[1,2.5],"e":[],"s":"q\"\n"}"#)
        XCTAssertEqual(text { w in
            w.beginArray()
            w.beginArray(); w.value(1); w.endArray()
            w.beginObject(); w.endObject()
            w.value(false)
            w.endArray()
        }, #"[[1],{},false]"#)
    }
}
