using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>Runs the CLI in process against an in-process local KMS whose clock the test owns.</summary>
internal sealed class CliHarness
{
    public CliHarness()
    {
        // This clock runs before KMS began tracking key use (2026-04-27): its LocalKms tracks from the start.
        Service = new LocalKmsService(new LocalKmsOptions { TrackingStartDate = Time.GetUtcNow() }, Time);
        Kms = Service.CreateClient();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero));

    public LocalKmsService Service { get; }

    public AmazonKeyManagementServiceClient Kms { get; }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Creates a key 40 days old (older than the default minimum age) behind the alias.</summary>
    public async Task<string> CreateAliasAsync(string alias, KeySpec? spec = null, KeyUsageType? usage = null)
    {
        var key = await Kms.CreateKeyAsync(new CreateKeyRequest
        {
            KeySpec = spec ?? KeySpec.SYMMETRIC_DEFAULT,
            KeyUsage = usage ?? KeyUsageType.ENCRYPT_DECRYPT,
            Description = "orders",
            Tags = [new Tag { TagKey = "team", TagValue = "orders" }],
        });
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId });
        Time.Advance(TimeSpan.FromDays(40));
        return key.KeyMetadata.KeyId;
    }

    public async Task<string> KeyOfAsync(string alias) => (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.KeyId;

    public async Task<Dictionary<string, string>> TagsOfAsync(string keyId) =>
        (await Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId })).Tags.ToDictionary(t => t.TagKey, t => t.TagValue, StringComparer.Ordinal);

    /// <summary>Every key's tags and every alias: equal before and after means nothing changed.</summary>
    public string StateFingerprint() => string.Join(
        "\n",
        Service.ListKeySnapshots().Select(k => $"{k.KeyId} {k.KeyState} {string.Join(",", k.Aliases.Order(StringComparer.Ordinal))} {string.Join(",", k.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value))}"));

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(new CliHost { Time = Time, KmsClient = () => Kms, KmsClientForRegion = region => Service.CreateClient(region) }, args);

    public async Task<CliRun> RunAsync(CliHost host, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, Environment, host, CancellationToken.None);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Rotates with --force (the fake clock does not move during a test) and returns the new key id.</summary>
    public async Task<string> RotateAsync(string alias)
    {
        var run = await RunAsync("rotate", alias, "--force", "--yes", "--output", "json");
        Assert.Equal(0, run.ExitCode);
        return run.Json().GetProperty("results")[0].GetProperty("newKeyId").GetString()!;
    }

    /// <summary>
    /// Four generations of <paramref name="alias"/>, oldest first; the clock then moves 60 days, so every retired key is
    /// old enough to disable, and ROTATION_ALIASES names the alias (what the retention commands read).
    /// </summary>
    public async Task<List<string>> FourGenerationsAsync(string alias)
    {
        List<string> keys = [await CreateAliasAsync(alias)];
        for (var i = 0; i < 3; i++)
        {
            keys.Add(await RotateAsync(alias));
        }

        Time.Advance(TimeSpan.FromDays(60));
        Environment[KeyRotation.Core.Configuration.SettingNames.RotationAliases] = alias;
        return keys;
    }
}

internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }
}
