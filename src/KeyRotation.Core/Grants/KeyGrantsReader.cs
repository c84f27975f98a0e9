using System.Globalization;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core.Grants;

/// <summary>One grant on a key, as ListGrants describes it.</summary>
public sealed record KeyGrant(
    string GrantId,
    string? Name,
    string? GranteePrincipal,
    string? RetiringPrincipal,
    IReadOnlyList<string> Operations,
    string? Constraints);

/// <summary>
/// Reads the grants on a key (ListGrants, every page through the SDK's paginator). A rotation never carries grants over
/// to the new key, so plan and the notification list the old key's grants for operators to recreate what consumers
/// still need. Read-only: the role holds kms:ListGrants on keys behind configured aliases, never CreateGrant.
/// </summary>
public sealed class KeyGrantsReader
{
    private readonly IAmazonKeyManagementService _kms;

    public KeyGrantsReader(IAmazonKeyManagementService kms) => _kms = kms ?? throw new ArgumentNullException(nameof(kms));

    /// <summary>Every grant on the key (key id or key ARN: ListGrants takes no alias).</summary>
    public async Task<IReadOnlyList<KeyGrant>> ListAsync(string keyId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        var grants = new List<KeyGrant>();
        await foreach (var entry in _kms.Paginators.ListGrants(new ListGrantsRequest { KeyId = keyId }).Grants.WithCancellation(ct))
        {
            grants.Add(new KeyGrant(entry.GrantId, entry.Name, entry.GranteePrincipal, entry.RetiringPrincipal, [.. entry.Operations ?? []], Describe(entry.Constraints)));
        }

        return grants;
    }

    /// <summary>
    /// The notification's paragraph about the previous key's grants; when they cannot be read (no kms:ListGrants, for
    /// example) it says so and how to list them, rather than failing the rotation's notice.
    /// </summary>
    public async Task<string> NoticeAsync(string previousKeyId, CancellationToken ct)
    {
        IReadOnlyList<KeyGrant> grants;
        try
        {
            grants = await ListAsync(previousKeyId, ct);
        }
        catch (AmazonServiceException ex)
        {
            return $"Grants on the previous key could not be listed ({ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}). Grants are not carried over to the new key: " +
                $"list them with 'aws kms list-grants --key-id {previousKeyId}' and recreate on the new key what consumers still need.";
        }

        if (grants.Count == 0)
        {
            return "Grants: the previous key had none (grants are never carried over to the new key).";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Grants on the previous key ({grants.Count}); they are not carried over. Recreate on the new key (CreateGrant) what consumers still need:");
        foreach (var grant in grants)
        {
            text.AppendLine();
            text.Append("- ").Append(Summary(grant));
        }

        return text.ToString();
    }

    /// <summary>One line: who may do what, under which constraints.</summary>
    public static string Summary(KeyGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{grant.GrantId}{(string.IsNullOrEmpty(grant.Name) ? string.Empty : $" ({grant.Name})")}: {grant.GranteePrincipal ?? "unknown grantee"} may {string.Join(", ", grant.Operations)}");
        if (grant.Constraints is { } constraints)
        {
            line.Append("; ").Append(constraints);
        }

        if (grant.RetiringPrincipal is { } retiring)
        {
            line.Append("; retiring principal ").Append(retiring);
        }

        return line.ToString();
    }

    private static string? Describe(GrantConstraints? constraints)
    {
        static string Pairs(Dictionary<string, string> context) => string.Join(", ", context.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

        return constraints switch
        {
            { EncryptionContextEquals.Count: > 0 } => $"encryption context equals {{{Pairs(constraints.EncryptionContextEquals)}}}",
            { EncryptionContextSubset.Count: > 0 } => $"encryption context includes {{{Pairs(constraints.EncryptionContextSubset)}}}",
            _ => null,
        };
    }
}
