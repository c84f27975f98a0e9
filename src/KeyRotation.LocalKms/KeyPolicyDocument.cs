using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalKms;

/// <summary>
/// Checks a key policy as CreateKey, ReplicateKey and PutKeyPolicy do, with the errors of the KMS API reference:
/// the Policy member's constraints (at most 131072 characters, tab, line feed, carriage return and U+0020 to U+00FF
/// only: ValidationException), the 32 KB key policy document quota (more than 32768 bytes: LimitExceededException),
/// a document that is not a JSON policy (MalformedPolicyDocumentException), and the lockout safety check.
/// </summary>
/// <remarks>
/// The lockout safety check asks whether the policy lets the caller make a later PutKeyPolicy request; LocalKms has
/// no IAM, so it answers with one plain rule. Every caller is a principal of the service's account whose IAM
/// policies allow everything, named by its SigV4 access key id N (role/N or user/N). The check passes when an Allow
/// statement's Action covers kms:PutKeyPolicy ("kms:PutKeyPolicy", "kms:*", "*" or a wildcard such as "kms:Put*",
/// case-insensitive) and its Principal covers the caller ("*", {"AWS":"*"}, the account id,
/// arn:aws:iam::ACCOUNT:root, or arn:aws:iam::ACCOUNT:role/N, user/N, arn:aws:sts::ACCOUNT:assumed-role/N/...), and
/// no Deny statement without a Condition covers both. Conditions of Allow statements, Resource, NotAction and
/// NotPrincipal are not evaluated. An unsigned request is covered only by "*" and by the account.
/// </remarks>
internal static partial class KeyPolicyDocument
{
    /// <summary>The Policy member's maximum length in the KMS API model.</summary>
    public const int MaxLength = 131072;

    /// <summary>The key policy document size quota: 32 KB.</summary>
    public const int MaxBytes = 32768;

    public const string LockoutMessage = "The new key policy will not allow you to update the key policy in the future.";

    /// <summary>Throws the error KMS answers when <paramref name="policy"/> cannot be a key policy for <paramref name="callerName"/>.</summary>
    public static void Validate(string policy, bool bypassLockoutCheck, string accountId, string? callerName)
    {
        if (policy.Length == 0)
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        if (policy.Length > MaxLength)
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to {MaxLength}");
        }

        if (!AllowedCharacters().IsMatch(policy))
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
        }

        var bytes = Encoding.UTF8.GetByteCount(policy);
        if (bytes > MaxBytes)
        {
            throw new KmsErrorException("LimitExceededException", $"The key policy is {bytes} bytes; a key policy document can be at most {MaxBytes} bytes (32 KB).");
        }

        var statements = Statements(policy);
        if (!bypassLockoutCheck && !AllowsLaterPutKeyPolicy(statements, accountId, callerName))
        {
            throw new KmsErrorException("MalformedPolicyDocumentException", LockoutMessage);
        }
    }

    private static List<JsonObject> Statements(string policy)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(policy);
        }
        catch (JsonException)
        {
            throw Malformed("The policy is not valid JSON.");
        }

        List<JsonNode?> statements = (root as JsonObject)?["Statement"] switch
        {
            JsonArray { Count: > 0 } array => [.. array],
            JsonObject single => [single],
            _ => throw Malformed("The policy must contain a Statement: one statement object or a list of them."),
        };

        var checkedStatements = new List<JsonObject>();
        foreach (var node in statements)
        {
            if (node is not JsonObject statement)
            {
                throw Malformed("Each policy statement must be a JSON object.");
            }

            if (Text(statement["Effect"]) is not ("Allow" or "Deny"))
            {
                throw Malformed("Each policy statement must have an Effect of Allow or Deny.");
            }

            if (statement["Principal"] is null && statement["NotPrincipal"] is null)
            {
                throw Malformed("Policy contains a statement with no principal.");
            }

            checkedStatements.Add(statement);
        }

        return checkedStatements;
    }

    private static bool AllowsLaterPutKeyPolicy(List<JsonObject> statements, string accountId, string? callerName)
    {
        bool Covers(JsonObject s) => Values(s["Action"]).Any(CoversPutKeyPolicy) && CoversCaller(s["Principal"], accountId, callerName);

        return statements.Any(s => Text(s["Effect"]) == "Allow" && Covers(s))
            && !statements.Any(s => Text(s["Effect"]) == "Deny" && s["Condition"] is null && Covers(s));
    }

    private static bool CoversPutKeyPolicy(string action) =>
        Regex.IsMatch("kms:PutKeyPolicy", "^" + Regex.Escape(action).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static bool CoversCaller(JsonNode? principal, string accountId, string? callerName)
    {
        if (Text(principal) == "*")
        {
            return true;
        }

        return principal is JsonObject map && Values(map["AWS"]).Any(p =>
            p == "*" || p == accountId || p == $"arn:aws:iam::{accountId}:root"
            || (callerName is not null && NamesCaller(p, accountId, callerName)));
    }

    private static bool NamesCaller(string principal, string accountId, string callerName) =>
        principal == $"arn:aws:iam::{accountId}:role/{callerName}"
        || principal == $"arn:aws:iam::{accountId}:user/{callerName}"
        || principal.StartsWith($"arn:aws:sts::{accountId}:assumed-role/{callerName}/", StringComparison.Ordinal);

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        JsonArray a => a.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : string.Empty),
        _ => [],
    };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static KmsErrorException Malformed(string message) => new("MalformedPolicyDocumentException", message);

    [GeneratedRegex(@"^[\u0009\u000A\u000D\u0020-\u00FF]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AllowedCharacters();
}
