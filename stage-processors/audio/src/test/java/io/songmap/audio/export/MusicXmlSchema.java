package io.songmap.audio.export;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.Source;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/** The MusicXML 4.0 XSD, read offline: musicxml.xsd from the proxymusic jar, its two imports from test resources. */
final class MusicXmlSchema {

    private static final String MUSICXML_XSD = "META-INF/jaxb/xsd/musicxml.xsd";

    private MusicXmlSchema() {}

    static Schema load() throws Exception {
        ClassLoader loader = MusicXmlSchema.class.getClassLoader();
        URL musicXml = loader.getResource(MUSICXML_XSD);
        if (musicXml == null) {
            throw new IllegalStateException(MUSICXML_XSD + " not on the test classpath (org.audiveris:proxymusic)");
        }
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        // The imported namespaces are loaded first, so the relative imports in musicxml.xsd are satisfied.
        Source[] sources = {
            new StreamSource(loader.getResource("musicxml/xml.xsd").toExternalForm()),
            new StreamSource(loader.getResource("musicxml/xlink.xsd").toExternalForm()),
            new StreamSource(musicXml.toExternalForm())
        };
        return factory.newSchema(sources);
    }

    /** Parses without fetching the DTD named in the DOCTYPE and returns every schema violation. */
    static List<String> violations(Schema schema, byte[] xml) throws Exception {
        Document doc = parse(xml);
        Validator validator = schema.newValidator();
        List<String> problems = new ArrayList<>();
        validator.setErrorHandler(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {}

            @Override
            public void error(SAXParseException e) {
                problems.add(e.getMessage());
            }

            @Override
            public void fatalError(SAXParseException e) {
                problems.add(e.getMessage());
            }
        });
        validator.validate(new DOMSource(doc));
        return problems;
    }

    static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
        try {
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
