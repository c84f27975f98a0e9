using System.Globalization;
using KeyRotation.IntegrationTests.KeyMaterial;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// The KMS calls of one happy-path rotation, counted per operation at LocalKms behind the real SDK client, against the
/// budget the "KMS calls per rotation" table of docs/throughput.md states (and that table is these counts): each operation whose default quota is 5 per second is
/// called at most once, TagResource (10 per second) at most twice for an AWS_KMS key, so KMS's default quotas allow 5
/// rotations per second per account and Region. Every count is exact, so any extra call breaks a test here.
/// </summary>
public sealed class CallBudgetTests
{
    private const string Alias = "alias/orders";

    /// <summary>KMS's default request quotas (per second, per account and Region) of the operations a rotation calls.</summary>
    private static readonly Dictionary<string, double> DefaultQuotas = new(StringComparer.Ordinal)
    {
        ["CreateAlias"] = 5,
        ["CreateKey"] = 5,
        ["UpdateAlias"] = 5,
        ["ImportKeyMaterial"] = 5,
        ["TagResource"] = 10,
        ["GetParametersForImport"] = 0.25,
        ["GetKeyPolicy"] = 1000,
        ["DescribeKey"] = 2000,
        ["ListResourceTags"] = 100,
        ["ListGrants"] = 100,
        ["GetKeyRotationStatus"] = 100,
    };

    [Fact]
    public async Task Rotate_NewAwsKmsKey_CallsEachOperationWithinTheBudget()
    {
        var calls = await RotateAwsKmsKeyAsync();

        Assert.Equal(
            new Dictionary<string, int>
            {
                // Writes: claim, create, seal (copied tags, seal, active), move, retire the old key (after the notification).
                ["CreateAlias"] = 1,
                ["CreateKey"] = 1,
                ["TagResource"] = 2,
                ["UpdateAlias"] = 1,

                // Reads: the state (alias, its key's tags, marker 1), the policy to copy, the checks and fences, the grants notice.
                ["DescribeKey"] = 6,
                ["ListResourceTags"] = 1,
                ["GetKeyPolicy"] = 1,
                ["ListGrants"] = 1,

                // Whether the old key's automatic rotation is to be carried over to the new key.
                ["GetKeyRotationStatus"] = 1,
            },
            calls);
        Assert.Equal(5, QuotaBound(calls));
    }

    [Fact]
    public async Task Rotate_NewKeyWithImportedMaterial_CallsEachOperationWithinTheBudget()
    {
        var calls = await RotateExternalKeyAsync();

        Assert.Equal(
            new Dictionary<string, int>
            {
                // The escrow tag is written between GetParametersForImport and the import: one TagResource more.
                ["CreateAlias"] = 1,
                ["CreateKey"] = 1,
                ["TagResource"] = 3,
                ["UpdateAlias"] = 1,
                ["GetParametersForImport"] = 1,
                ["ImportKeyMaterial"] = 1,
                ["DescribeKey"] = 7,
                ["ListResourceTags"] = 2,
                ["GetKeyPolicy"] = 1,
                ["GetKeyRotationStatus"] = 1,
            },
            calls);

        // GetParametersForImport (RSA_4096 wrapping keys: 0.25 per second) bounds imported-material rotations, not the aliases.
        Assert.Equal(0.25, QuotaBound(calls));
    }

    [Theory]
    [InlineData("AWS_KMS")]
    [InlineData("EXTERNAL")]
    public async Task DocumentedBudget_ColumnOfTheOrigin_IsTheMeasuredCalls(string origin)
    {
        var calls = origin == "AWS_KMS" ? await RotateAwsKmsKeyAsync() : await RotateExternalKeyAsync();
        var rows = DocumentedBudget();
        var column = origin == "AWS_KMS" ? 1 : 2;

        // "–": not called; "0 or 1": called only for some keys (EnableKeyRotation, when the old key had automatic rotation).
        var documented = rows.Where(row => row[column] is not ("–" or "0 or 1"))
            .ToDictionary(row => MarkdownPage.CodeNames(row[0]).Single(), row => int.Parse(row[column], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        Assert.Equal(calls.OrderBy(c => c.Key, StringComparer.Ordinal), documented.OrderBy(d => d.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void DocumentedBudget_QuotaColumn_IsKmsDefaultQuotas()
    {
        var documented = DocumentedBudget()
            .Select(row => (Operation: MarkdownPage.CodeNames(row[0]).Single(), Quota: double.Parse(row[3].Split(' ')[0], NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)))
            .Where(row => DefaultQuotas.ContainsKey(row.Operation));

        Assert.All(documented, row => Assert.Equal(DefaultQuotas[row.Operation], row.Quota));
        Assert.Equal(DefaultQuotas.Count, documented.Count());
    }

    /// <summary>The rows of docs/throughput.md's table: operation, AWS_KMS calls, EXTERNAL calls, default quota, purpose.</summary>
    private static IReadOnlyList<IReadOnlyList<string>> DocumentedBudget() =>
        MarkdownPage.TableRows(MarkdownPage.Load("docs/throughput.md").Section("## KMS calls per rotation"));

    private static async Task<Dictionary<string, int>> RotateAwsKmsKeyAsync()
    {
        using var world = new RotationWorld();
        await world.CreateAliasedKeyAsync(Alias);
        world.Kms.ClearRecordedRequests();

        var response = await world.InvokeAsync("{}", Alias);

        Assert.Equal("Rotated", response.GetProperty("results")[0].GetProperty("outcome").GetString());
        return Count(world.Kms.RecordedRequests.Select(r => r.Operation));
    }

    private static async Task<Dictionary<string, int>> RotateExternalKeyAsync()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        byok.Service.ClearRecordedRequests();

        var result = await byok.RotateAsync();

        Assert.Equal(Core.RotationOutcome.Rotated, result.Outcome);
        return Count(byok.Service.RecordedRequests.Select(r => r.Operation));
    }

    private static Dictionary<string, int> Count(IEnumerable<string> operations) =>
        operations.GroupBy(op => op, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Rotations per second KMS's default quotas allow: the lowest quota / calls per rotation over the operations called.</summary>
    private static double QuotaBound(Dictionary<string, int> calls) =>
        calls.Min(c => DefaultQuotas[c.Key] / c.Value);
}
