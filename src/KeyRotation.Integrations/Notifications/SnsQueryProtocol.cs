using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace KeyRotation.Integrations.Notifications;

/// <summary>
/// The SNS Query protocol (API version 2010-03-31): the form body of a Publish and the XML it answers with.
/// </summary>
internal static class SnsQueryProtocol
{
    internal const string ApiVersion = "2010-03-31";

    private const int MaxQuotedBodyLength = 200;

    /// <summary>Builds the URL-encoded (RFC 3986, UTF-8) form body of a Publish call.</summary>
    internal static string BuildPublishForm(SnsMessage message)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Action", "Publish"),
            new("Version", ApiVersion),
            new("TopicArn", message.TopicArn.ToString()),
        };
        if (message.Subject is not null)
        {
            fields.Add(new("Subject", message.Subject));
        }

        fields.Add(new("Message", message.Message));

        // Sorted so the body (and its signature) does not depend on dictionary order.
        var entry = 0;
        foreach (var (name, value) in message.MessageAttributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            entry++;
            var prefix = string.Create(CultureInfo.InvariantCulture, $"MessageAttributes.entry.{entry}.");
            fields.Add(new(prefix + "Name", name));
            fields.Add(new(prefix + "Value.DataType", "String"));
            fields.Add(new(prefix + "Value.StringValue", value));
        }

        return string.Join('&', fields.Select(f => Encode(f.Key) + "=" + Encode(f.Value)));
    }

    /// <summary>Reads <c>PublishResponse/PublishResult/MessageId</c>; null when the document has none.</summary>
    internal static string? ReadMessageId(string body) =>
        TryLoad(body)?.Root is { Name.LocalName: "PublishResponse" } root
            ? Child(Child(root, "PublishResult"), "MessageId")?.Value is { Length: > 0 } id ? id : null
            : null;

    /// <summary>Reads <c>ErrorResponse/Error/{Type,Code,Message}</c> and <c>RequestId</c>; null when not an SNS error document.</summary>
    internal static SnsError? ReadError(string body)
    {
        if (TryLoad(body)?.Root is not { Name.LocalName: "ErrorResponse" } root)
        {
            return null;
        }

        var error = Child(root, "Error");
        var code = Child(error, "Code")?.Value;
        return string.IsNullOrEmpty(code)
            ? null
            : new SnsError(code, Child(error, "Message")?.Value, Child(error, "Type")?.Value, Child(root, "RequestId")?.Value);
    }

    /// <summary>A short, single-line excerpt of an unexpected response body for error messages.</summary>
    internal static string Excerpt(string body)
    {
        var oneLine = body.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= MaxQuotedBodyLength ? oneLine : oneLine[..MaxQuotedBodyLength] + "...";
    }

    // AWS query parameters are percent-encoded per RFC 3986: only A-Z a-z 0-9 - _ . ~ stay literal, spaces
    // become %20 (never '+'), and non-ASCII is UTF-8. Uri.EscapeDataString does exactly that on .NET 5+.
    private static string Encode(string value) => Uri.EscapeDataString(value);

    // Matched by local name: SNS qualifies everything with its 2010-03-31 namespace, emulators not always.
    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static XDocument? TryLoad(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var reader = XmlReader.Create(new StringReader(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
    }
}

/// <summary>An SNS error document's fields.</summary>
internal sealed record SnsError(string Code, string? Message, string? Type, string? RequestId);
