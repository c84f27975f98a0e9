using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace KeyRotation.Core.Notifications;

/// <summary>
/// A validated SNS topic ARN (<c>arn:partition:sns:region:account:name</c>). The engine publishes in the
/// topic's own region, so the ARN is parsed once, at configuration time, with an error a person can act on.
/// </summary>
public sealed partial record NotificationTopicArn
{
    private const int MaxTopicNameLength = 256;
    private const string FifoSuffix = ".fifo";
    private const string ExpectedShape = "arn:<partition>:sns:<region>:<12-digit account>:<topic name>";

    private NotificationTopicArn(string partition, string region, string account, string topicName)
    {
        Partition = partition;
        Region = region;
        Account = account;
        TopicName = topicName;
    }

    /// <summary>The AWS partition, for example <c>aws</c> or <c>aws-cn</c>.</summary>
    public string Partition { get; }

    /// <summary>The region the topic lives in; SNS must be called in this region.</summary>
    public string Region { get; }

    /// <summary>The 12-digit account that owns the topic.</summary>
    public string Account { get; }

    /// <summary>The topic name, including the <c>.fifo</c> suffix for FIFO topics.</summary>
    public string TopicName { get; }

    /// <summary>Whether this is a FIFO topic (name ends with <c>.fifo</c>).</summary>
    public bool IsFifo => TopicName.EndsWith(FifoSuffix, StringComparison.Ordinal);

    /// <summary>Parses a topic ARN, throwing a <see cref="FormatException"/> that says what is wrong.</summary>
    public static NotificationTopicArn Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var arn, out var error) ? arn : throw new FormatException(error);
    }

    /// <summary>Parses a topic ARN; false when <paramref name="value"/> is not a valid SNS topic ARN.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out NotificationTopicArn? arn) =>
        TryParse(value, out arn, out _);

    /// <summary>Parses a topic ARN; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out NotificationTopicArn? arn,
        [NotNullWhen(false)] out string? error)
    {
        arn = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"The SNS topic ARN is empty; expected {ExpectedShape}.";
            return false;
        }

        var parts = value.Split(':');
        if (parts.Length != 6 || parts[0] != "arn")
        {
            error = $"'{value}' is not an SNS topic ARN; expected {ExpectedShape}.";
            return false;
        }

        var (partition, service, region, account, name) = (parts[1], parts[2], parts[3], parts[4], parts[5]);
        error = service != "sns" ? $"'{value}' is an ARN for service '{service}', not 'sns'; expected {ExpectedShape}."
            : !PartitionPattern().IsMatch(partition) ? $"'{value}' has an invalid partition '{partition}'; expected for example 'aws' or 'aws-cn'."
            : !RegionPattern().IsMatch(region) ? $"'{value}' has an invalid region '{region}'; expected for example 'eu-west-1'."
            : !AccountPattern().IsMatch(account) ? $"'{value}' has an invalid account '{account}'; expected exactly 12 digits."
            : DescribeInvalidTopicName(name) is { } nameProblem ? $"'{value}' has an invalid topic name: {nameProblem}"
            : null;
        if (error is not null)
        {
            return false;
        }

        arn = new NotificationTopicArn(partition, region, account, name);
        return true;
    }

    /// <summary>The ARN in its canonical text form.</summary>
    public override string ToString() => $"arn:{Partition}:sns:{Region}:{Account}:{TopicName}";

    private static string? DescribeInvalidTopicName(string name)
    {
        if (name.Length is 0 or > MaxTopicNameLength)
        {
            return $"it must be 1 to {MaxTopicNameLength} characters long, but is {name.Length}.";
        }

        var baseName = name.EndsWith(FifoSuffix, StringComparison.Ordinal) ? name[..^FifoSuffix.Length] : name;
        return TopicNamePattern().IsMatch(baseName)
            ? null
            : $"'{name}' may contain only letters, digits, '_' and '-', optionally followed by '{FifoSuffix}'.";
    }

    [GeneratedRegex(@"\Aaws(-[a-z]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionPattern();

    [GeneratedRegex(@"\A[a-z]{2}(-[a-z]+)+-[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"\A[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex TopicNamePattern();
}
