import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element parsed with Foundation's `XMLParser` (libxml2 on Linux): the report's page
/// is XHTML-compatible, so an XML parser that rejects it has found markup a browser would
/// have to guess at.
final class XMLElementNode {
    let name: String
    let attributes: [String: String]
    var children: [XMLElementNode] = []
    var text = ""
    weak var parent: XMLElementNode?

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The classes of the `class` attribute.
    var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }

    /// This element and every element below it, in document order.
    var descendantsAndSelf: [XMLElementNode] { [self] + children.flatMap(\.descendantsAndSelf) }

    /// Every element below this one named `name` (and with `cls` among its classes).
    func all(_ name: String, class cls: String? = nil) -> [XMLElementNode] {
        children.flatMap(\.descendantsAndSelf).filter { $0.name == name && (cls == nil || $0.classes.contains(cls!)) }
    }

    /// The text of this element and its descendants.
    var allText: String { text + children.map(\.allText).joined() }

    /// Parses a document; the error says where it is not well-formed.
    static func parse(_ text: String) throws -> XMLElementNode {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw XMLTreeError(message: "\(parser.parserError.map { "\($0)" } ?? "no root element") at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        return root
    }
}

struct XMLTreeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLElementNode?
    var stack: [XMLElementNode] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let node = XMLElementNode(name: elementName, attributes: attributeDict)
        node.parent = stack.last
        if let top = stack.last { top.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }
}
