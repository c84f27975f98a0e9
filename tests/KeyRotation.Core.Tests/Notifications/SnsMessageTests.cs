using KeyRotation.Core.Notifications;

namespace KeyRotation.Core.Tests.Notifications;

public sealed class SnsMessageTests
{
    private static readonly NotificationTopicArn Topic = NotificationTopicArn.Parse("arn:aws:sns:us-east-1:123456789012:rotations");

    [Theory]
    [InlineData("Key rotated")]
    [InlineData("[KeyRotation] alias/app rotated")]
    [InlineData("9 keys rotated")]
    [InlineData("Schlüssel rotiert")]
    [InlineData("+1 key rotated")]
    public void Constructor_ValidSubject_Keeps(string subject)
    {
        var message = new SnsMessage(Topic, "body", subject);

        Assert.Equal(subject, message.Subject);
    }

    [Fact]
    public void Constructor_SubjectOf100Characters_Keeps()
    {
        var subject = new string('s', 100);

        var message = new SnsMessage(Topic, "body", subject);

        Assert.Equal(subject, message.Subject);
    }

    [Fact]
    public void Constructor_SubjectOver100Characters_ThrowsNamingTheLimit()
    {
        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", new string('s', 101)));

        Assert.Contains("101 characters long; SNS allows at most 100", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" leading space", "U+0020")]
    [InlineData("\u00A0no-break space", "U+00A0")]
    [InlineData("\tTab", "U+0009")]
    public void Constructor_SubjectWithBadFirstCharacter_ThrowsNamingIt(string subject, string described)
    {
        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", subject));

        Assert.Contains($"must start with a letter, a number or a punctuation mark, not {described}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Key\nrotated")]
    [InlineData("Key\r\nrotated")]
    [InlineData("Key\u2028rotated")]
    public void Constructor_SubjectWithLineBreak_ThrowsLineBreaks(string subject)
    {
        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", subject));

        Assert.Contains("must not contain line breaks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SubjectWithControlCharacter_ThrowsControlCharacters()
    {
        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", "Key\u0007rotated"));

        Assert.Contains("must not contain control characters (found U+0007)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptySubject_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", string.Empty));
    }

    [Fact]
    public void With_InvalidSubject_Throws()
    {
        var message = new SnsMessage(Topic, "body", "Key rotated");

        Assert.Throws<ArgumentException>(() => message with { Subject = "bad\nsubject" });
    }

    [Fact]
    public void Constructor_EmptyMessage_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, string.Empty));
    }

    [Fact]
    public void Constructor_MessageOf256KiB_Keeps()
    {
        var body = new string('m', SnsMessage.MaxMessageBytes);

        var message = new SnsMessage(Topic, body);

        Assert.Equal(body.Length, message.Message.Length);
    }

    [Fact]
    public void Constructor_MessageOver256KiBInUtf8_ThrowsNamingTheSize()
    {
        // 131,073 two-byte characters: under the limit in chars, over it in UTF-8 bytes.
        var body = new string('é', (SnsMessage.MaxMessageBytes / 2) + 1);

        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, body));

        Assert.Contains("262146 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData(".leading")]
    [InlineData("double..dot")]
    [InlineData("AWS.reserved")]
    [InlineData("")]
    public void Constructor_InvalidAttributeName_ThrowsNamingIt(string name)
    {
        var attributes = new Dictionary<string, string> { [name] = "value" };

        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", "Subject", attributes));

        Assert.Contains($"attribute name '{name}' is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyAttributeValue_Throws()
    {
        var attributes = new Dictionary<string, string> { ["alias"] = string.Empty };

        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", "Subject", attributes));

        Assert.Contains("'alias' has an empty value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MoreThanTenAttributes_Throws()
    {
        var attributes = Enumerable.Range(1, 11).ToDictionary(i => $"a{i}", i => "v");

        var error = Assert.Throws<ArgumentException>(() => new SnsMessage(Topic, "body", "Subject", attributes));

        Assert.Contains("11 attributes; SNS allows at most 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoAttributes_HasEmptyAttributes()
    {
        var message = new SnsMessage(Topic, "body");

        Assert.Empty(message.MessageAttributes);
    }
}
