using System.Text.RegularExpressions;
using Amazon;

namespace KeyRotation.Cli.Targets;

/// <summary>One account and Region the CLI works on, reached by assuming <see cref="RoleArn"/> (with its external id).</summary>
internal sealed record AccountTarget(string AccountId, string Region, string RoleArn, string? ExternalId)
{
    /// <summary>How the output and errors name the target: "111122223333 eu-west-1".</summary>
    public override string ToString() => $"{AccountId} {Region}";
}

/// <summary>
/// The <c>--accounts FILE</c> format: one line per account, fields separated by tabs or spaces:
/// <c>ACCOUNT_ID REGION[,REGION...] ROLE_ARN [EXTERNAL_ID]</c>; blank lines and lines starting with <c>#</c> are
/// skipped. Every line is checked before anything is called; the first problem names the line and the field.
/// </summary>
internal static partial class AccountTargets
{
    public const string Format = "ACCOUNT_ID REGION[,REGION...] ROLE_ARN [EXTERNAL_ID]";

    /// <summary>Reads and checks the file; a missing file or a bad line is bad usage (exit 2).</summary>
    public static IReadOnlyList<AccountTarget> Load(string path, bool anyRegion)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--accounts: cannot read '{path}': {ex.Message}", ex);
        }

        return Parse(text, path, anyRegion);
    }

    /// <summary>
    /// The targets in <paramref name="text"/>, one per account and Region, in file order. <paramref name="anyRegion"/>
    /// accepts Region names the SDK does not know (a custom endpoint is configured), as --region does.
    /// </summary>
    public static IReadOnlyList<AccountTarget> Parse(string text, string source, bool anyRegion)
    {
        ArgumentNullException.ThrowIfNull(text);
        var targets = new List<AccountTarget>();
        var seen = new Dictionary<(string, string), int>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var number = index + 1;
            var line = lines[index].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            UsageException Problem(string field, string what) => new($"{source} line {number}, {field}: {what} (each line: {Format}).");

            var fields = Fields().Split(line);
            if (fields.Length is < 3 or > 4)
            {
                throw Problem("fields", $"expected 3 or 4 fields separated by tabs or spaces, found {fields.Length}");
            }

            var (account, regions, roleArn) = (fields[0], fields[1], fields[2]);
            var externalId = fields.Length == 4 ? fields[3] : null;
            if (!AccountId().IsMatch(account))
            {
                throw Problem("account id", $"'{account}' is not a 12-digit AWS account id");
            }

            if (RoleArnProblem(roleArn, account) is { } roleProblem)
            {
                throw Problem("role ARN", roleProblem);
            }

            if (externalId is not null && ExternalIdProblem(externalId) is { } externalProblem)
            {
                throw Problem("external id", externalProblem);
            }

            foreach (var region in regions.Split(','))
            {
                if (RegionProblem(region, anyRegion) is { } regionProblem)
                {
                    throw Problem("Region", regionProblem);
                }

                if (seen.TryGetValue((account, region), out var earlier))
                {
                    throw Problem("Region", $"account {account} in {region} is already listed on line {earlier}");
                }

                seen[(account, region)] = number;
                targets.Add(new AccountTarget(account, region, roleArn, externalId));
            }
        }

        return targets.Count > 0 ? targets : throw new UsageException($"{source} lists no account (each line: {Format}).");
    }

    /// <summary>Why a role ARN cannot be assumed for <paramref name="account"/> (null: it can), checked with the SDK's ARN parser.</summary>
    public static string? RoleArnProblem(string roleArn, string? account)
    {
        if (!Arn.TryParse(roleArn, out var arn) || arn.Service != "iam" || !arn.Resource.StartsWith("role/", StringComparison.Ordinal) || arn.Resource.Length <= "role/".Length)
        {
            return $"'{roleArn}' is not an IAM role ARN (arn:aws:iam::ACCOUNT_ID:role/NAME)";
        }

        if (!AccountId().IsMatch(arn.AccountId))
        {
            return $"'{roleArn}' does not name a 12-digit account id";
        }

        return account is not null && arn.AccountId != account
            ? $"'{roleArn}' is a role of account {arn.AccountId}, not of {account}"
            : null;
    }

    /// <summary>STS's rule for an external id: 2 to 1224 characters of letters, digits and <c>+=,.@:/-_</c>.</summary>
    public static string? ExternalIdProblem(string externalId) => ExternalId().IsMatch(externalId)
        ? null
        : $"'{externalId}' is not a valid external id (2 to 1224 letters, digits and +=,.@:/-_)";

    /// <summary>STS's rule for a role session name: 2 to 64 characters of letters, digits and <c>+=,.@-_</c>.</summary>
    public static string? SessionNameProblem(string name) => SessionName().IsMatch(name)
        ? null
        : $"'{name}' is not a valid role session name (2 to 64 letters, digits and +=,.@-_)";

    private static string? RegionProblem(string region, bool anyRegion)
    {
        if (!RegionName().IsMatch(region))
        {
            return $"'{region}' is not a Region name such as us-east-1 (several: us-east-1,eu-west-1, no spaces)";
        }

        return anyRegion || RegionEndpoint.EnumerableAllRegions.Any(r => r.SystemName == region)
            ? null
            : $"'{region}' is not a Region this SDK knows (pass --endpoint-url for an endpoint it does not know)";
    }

    [GeneratedRegex(@"[\t ]+")]
    private static partial Regex Fields();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionName();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}$", RegexOptions.ECMAScript)]
    private static partial Regex ExternalId();

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$", RegexOptions.ECMAScript)]
    private static partial Regex SessionName();
}
