using System.Xml.Linq;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>What a handler answers: status, headers and the XML body (none for HEAD and empty answers).</summary>
internal sealed record LocalS3Answer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, XElement? Body);

/// <summary>An S3 error answer: status, code, message, and the extra elements (BucketName, Key, Condition) the API adds.</summary>
internal sealed class LocalS3Error : Exception
{
    public LocalS3Error(int status, string code, string message, string? bucket = null, string? key = null, string? condition = null)
        : base(message)
    {
        Status = status;
        Code = code;
        Extra = [.. new[] { ("BucketName", bucket), ("Key", key), ("Condition", condition) }.Where(e => e.Item2 is not null).Select(e => new XElement(e.Item1, e.Item2))];
    }

    public LocalS3Error()
    {
        Code = string.Empty;
        Extra = [];
    }

    public LocalS3Error(string message)
        : base(message)
    {
        Code = string.Empty;
        Extra = [];
    }

    public LocalS3Error(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = string.Empty;
        Extra = [];
    }

    public int Status { get; }

    public string Code { get; }

    public IReadOnlyList<XElement> Extra { get; }
}
