using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace KeyRotation.Core.Notifications;

/// <summary>
/// One SNS notification. Validated against SNS's published limits when built, so a bad subject or an
/// oversized body fails here with a clear message instead of as an opaque InvalidParameter from SNS.
/// </summary>
public sealed record SnsMessage
{
    /// <summary>SNS's maximum subject length, in characters.</summary>
    public const int MaxSubjectLength = 100;

    /// <summary>SNS's maximum message size (body plus attributes), in UTF-8 bytes.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>SNS's maximum number of message attributes.</summary>
    public const int MaxAttributes = 10;

    private const int MaxAttributeNameLength = 256;
    private const string AttributeDataType = "String";

    /// <summary>Creates a message; throws <see cref="ArgumentException"/> naming the first SNS rule it breaks.</summary>
    public SnsMessage(
        NotificationTopicArn topicArn,
        string message,
        string? subject = null,
        IReadOnlyDictionary<string, string>? messageAttributes = null)
    {
        TopicArn = topicArn;
        Message = message;
        Subject = subject;
        MessageAttributes = messageAttributes ?? ReadOnlyDictionary<string, string>.Empty;
    }

    /// <summary>The topic to publish to.</summary>
    public NotificationTopicArn TopicArn
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(TopicArn));
    }

    /// <summary>The subject used by e-mail subscriptions; null to omit it.</summary>
    public string? Subject
    {
        get;
        init
        {
            ValidateSubject(value);
            field = value;
        }
    }

    /// <summary>The message body; not empty, at most <see cref="MaxMessageBytes"/> UTF-8 bytes with the attributes.</summary>
    public string Message
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value, nameof(Message));
            field = value;
            ValidateTotalSize(field, MessageAttributes);
        }
    }

    /// <summary>Message attributes, each sent with DataType String (for subscription filter policies).</summary>
    public IReadOnlyDictionary<string, string> MessageAttributes
    {
        get;
        init
        {
            ValidateAttributes(value);
            field = value;
            ValidateTotalSize(Message, field);
        }
    } = ReadOnlyDictionary<string, string>.Empty;

    private static void ValidateSubject(string? subject)
    {
        if (subject is null)
        {
            return;
        }

        if (subject.Length == 0)
        {
            throw new ArgumentException("The SNS subject is empty; pass null to omit it.", nameof(subject));
        }

        if (subject.Length > MaxSubjectLength)
        {
            throw new ArgumentException(
                $"The SNS subject is {subject.Length} characters long; SNS allows at most {MaxSubjectLength}.",
                nameof(subject));
        }

        if (!IsAllowedSubjectStart(subject, out var first))
        {
            throw new ArgumentException(
                $"The SNS subject must start with a letter, a number or a punctuation mark, not {Describe(first)}.",
                nameof(subject));
        }

        foreach (var rune in subject.EnumerateRunes())
        {
            if (rune.Value is '\r' or '\n' || Rune.GetUnicodeCategory(rune) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw new ArgumentException("The SNS subject must not contain line breaks.", nameof(subject));
            }

            if (Rune.IsControl(rune))
            {
                throw new ArgumentException(
                    $"The SNS subject must not contain control characters (found {Describe(rune)}).",
                    nameof(subject));
            }
        }
    }

    private static bool IsAllowedSubjectStart(string subject, out Rune first)
    {
        _ = Rune.DecodeFromUtf16(subject, out first, out _);

        // ASCII symbols such as '+', '$' or '<' count as punctuation in SNS's sense (C's ispunct), though not in Unicode's.
        return Rune.IsLetterOrDigit(first) || Rune.IsPunctuation(first) || (first.IsAscii && Rune.IsSymbol(first));
    }

    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) || Rune.IsWhiteSpace(rune)
            ? string.Create(CultureInfo.InvariantCulture, $"U+{rune.Value:X4}")
            : $"'{rune}'";

    private static void ValidateAttributes(IReadOnlyDictionary<string, string>? messageAttributes)
    {
        ArgumentNullException.ThrowIfNull(messageAttributes);
        if (messageAttributes.Count > MaxAttributes)
        {
            throw new ArgumentException(
                $"The SNS message has {messageAttributes.Count} attributes; SNS allows at most {MaxAttributes}.",
                nameof(messageAttributes));
        }

        foreach (var (name, value) in messageAttributes)
        {
            if (DescribeInvalidAttributeName(name) is { } problem)
            {
                throw new ArgumentException($"The SNS message attribute name '{name}' is invalid: {problem}", nameof(messageAttributes));
            }

            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"The SNS message attribute '{name}' has an empty value; SNS requires a value.", nameof(messageAttributes));
            }
        }
    }

    private static string? DescribeInvalidAttributeName(string name)
    {
        if (name.Length is 0 or > MaxAttributeNameLength)
        {
            return $"it must be 1 to {MaxAttributeNameLength} characters long.";
        }

        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return "it may contain only letters, digits, '_', '-' and '.'.";
        }

        if (name.StartsWith('.') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal))
        {
            return "it must not start or end with '.' or contain '..'.";
        }

        return name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase)
            ? "the prefixes 'AWS.' and 'Amazon.' are reserved."
            : null;
    }

    private static void ValidateTotalSize(string? message, IReadOnlyDictionary<string, string>? attributes)
    {
        // Properties initialise one at a time; check once both are set.
        if (message is null || attributes is null)
        {
            return;
        }

        long size = Encoding.UTF8.GetByteCount(message);
        foreach (var (name, value) in attributes)
        {
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + AttributeDataType.Length;
        }

        if (size > MaxMessageBytes)
        {
            throw new ArgumentException(
                $"The SNS message is {size} bytes (UTF-8, body plus attributes); SNS allows at most {MaxMessageBytes}.",
                nameof(message));
        }
    }
}
