using System.Globalization;
using System.Text;

namespace KeyRotation.Core;

/// <summary>What a person is told about one alias: a subject, a body to act on, and attributes to filter on.</summary>
public sealed record RotationNotice(string Subject, string Body, IReadOnlyDictionary<string, string> Attributes)
{
    private const int MaxSubjectLength = 100;

    /// <summary>The function's advice for a failed rotation: where its logs are and what its role needs.</summary>
    private static readonly string[] FunctionFailureAdvice =
    [
        "What to check: the function's logs for this rotation id; that the key is Enabled and customer managed;",
        "that the key policy and the function's role allow the actions in docs/permissions.md.",
    ];

    /// <summary>Builds the notice for a rotated or failed alias; <paramref name="failureAdvice"/> replaces the function's advice on a failure.</summary>
    public static RotationNotice For(AliasRotationResult result, string rotationId, DateTimeOffset time, IReadOnlyList<string>? failureAdvice = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = result.Outcome.ToString();
        var subject = Truncate($"KMS key rotation {outcome}: {result.Alias}", MaxSubjectLength);
        var (region, account) = RegionAndAccount(result.NewKeyArn ?? result.PreviousKeyArn);

        var body = new StringBuilder();
        body.AppendLine(CultureInfo.InvariantCulture, $"Alias:        {result.Alias}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Outcome:      {outcome}{(result.Resumed ? " (finished a rotation an earlier run started)" : string.Empty)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Account:      {account ?? "unknown"}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Region:       {region ?? "unknown"}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Previous key: {result.PreviousKeyArn ?? result.PreviousKeyId ?? "none"}");
        body.AppendLine(CultureInfo.InvariantCulture, $"New key:      {result.NewKeyArn ?? result.NewKeyId ?? "none"}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Time:         {RecordedTime.Format(time)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Rotation id:  {rotationId}");
        if (result.Method is { } method)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Method:       {RotationStrategyNames.Name(method)} ({(method == RotationMethod.Material ? "new key material in the same key" : "a new key behind the alias")})");
        }

        if (result.MethodReason is { } why)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Why:          {why}");
        }

        body.AppendLine();

        if (result.Outcome == RotationOutcome.Failed)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Error: {result.Reason}");
            body.AppendLine();
            foreach (var line in failureAdvice ?? FunctionFailureAdvice)
            {
                body.AppendLine(line);
            }

            body.AppendLine("The alias still points at a working key: a failed rotation never moves it to a key that is not ready.");
            body.AppendLine("The next run finishes or retries this rotation without creating a second key.");
        }
        else if (result.Method == RotationMethod.Material)
        {
            body.AppendLine(result.Reason);
            body.AppendLine();
            body.AppendLine($"What applications need to do: nothing. The key got new key material on demand: {Protocol.MaterialNotice.ForConsumers}.");
            body.AppendLine("Cached key ids, key ARNs, IAM policies and grants naming the key keep working.");
        }
        else
        {
            body.AppendLine(result.Reason);
            body.AppendLine();
            body.AppendLine("What applications need to do: nothing if they use the alias. New data is encrypted under the new key;");
            body.AppendLine("data encrypted before still decrypts, because the previous key stays enabled.");
            body.AppendLine("Applications that cached the key id or key ARN must look the alias up again.");
            if (result.KeySpec is { } spec && !spec.StartsWith("SYMMETRIC", StringComparison.Ordinal) && !spec.StartsWith("HMAC", StringComparison.Ordinal))
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"This is an asymmetric key ({spec}): consumers that cached its public key must fetch the new one (GetPublicKey).");
            }
        }

        foreach (var note in result.Notes)
        {
            body.AppendLine();
            body.AppendLine(note);
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alias"] = result.Alias,
            ["outcome"] = outcome,
        };
        return new RotationNotice(subject, body.ToString(), attributes);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 3)] + "...";

    /// <summary>The Region and account of a key ARN (arn:aws:kms:us-east-1:111122223333:key/...), parsed by the SDK.</summary>
    internal static (string? Region, string? Account) RegionAndAccount(string? arn) =>
        Amazon.Arn.TryParse(arn, out var parsed) ? (parsed.Region, parsed.AccountId) : (null, null);
}

/// <summary>Sends the notice for an alias: SNS in Lambda, the terminal in the CLI sandbox.</summary>
public interface IRotationNotifier
{
    Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken);
}
