using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace KeyRotation.Core.Hooks;

/// <summary>
/// A validated Lambda function ARN naming a move hook: <c>arn:partition:lambda:region:account:function:name</c>, with an
/// optional version or alias qualifier. Parsed once, at configuration time (or when an alias's tag names it), so a hook
/// that can never be invoked is refused before anything is changed.
/// </summary>
public sealed partial record MoveHookArn
{
    private const string ExpectedShape = "arn:<partition>:lambda:<region>:<12-digit account>:function:<name>[:<version or alias>]";

    private MoveHookArn(string value, string region, string functionName, string? qualifier)
    {
        Value = value;
        Region = region;
        FunctionName = functionName;
        Qualifier = qualifier;
    }

    /// <summary>The ARN as configured (what the Invoke request names and the IAM policy grants).</summary>
    public string Value { get; }

    /// <summary>The Region of the function: the Invoke request is sent there and signed for it.</summary>
    public string Region { get; }

    public string FunctionName { get; }

    /// <summary>The version (digits or $LATEST) or alias the ARN names, or null for the unqualified function.</summary>
    public string? Qualifier { get; }

    /// <summary>Parses a hook ARN; on failure <paramref name="problem"/> says what is wrong.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out MoveHookArn? arn, [NotNullWhen(false)] out string? problem)
    {
        arn = null;
        if (string.IsNullOrWhiteSpace(text) || !Amazon.Arn.TryParse(text.Trim(), out var parsed))
        {
            problem = $"'{text}' is not an ARN; expected a Lambda function ARN, {ExpectedShape}.";
            return false;
        }

        if (parsed.Service != "lambda" || !RegionPattern().IsMatch(parsed.Region ?? string.Empty) || !AccountPattern().IsMatch(parsed.AccountId ?? string.Empty))
        {
            problem = $"'{text}' is not a Lambda function ARN (service lambda, a Region and a 12-digit account); expected {ExpectedShape}.";
            return false;
        }

        var parts = (parsed.Resource ?? string.Empty).Split(':');
        var name = parts.Length is 2 or 3 && parts[0] == "function" ? parts[1] : string.Empty;
        if (!FunctionNamePattern().IsMatch(name))
        {
            problem = $"'{text}' does not name a Lambda function (function:<name> of 1 to 64 letters, digits, - or _, then an optional :<version or alias>); expected {ExpectedShape}.";
            return false;
        }

        var qualifier = parts.Length == 3 ? parts[2] : null;
        if (qualifier is not null && !QualifierPattern().IsMatch(qualifier))
        {
            problem = $"'{text}' has the qualifier '{qualifier}', which is neither a version ($LATEST or digits) nor an alias name (1 to 128 letters, digits, - or _, not only digits).";
            return false;
        }

        arn = new MoveHookArn(text.Trim(), parsed.Region!, name, qualifier);
        problem = null;
        return true;
    }

    public override string ToString() => Value;

    [GeneratedRegex(@"\A[a-z]{2}(-[a-z]+)+-[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"\A[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionNamePattern();

    [GeneratedRegex(@"\A(\$LATEST|[0-9]{1,10}|[a-zA-Z0-9_-]{1,128})\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifierPattern();
}
