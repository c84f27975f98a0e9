using Amazon.KeyManagementService.Model;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>report on a multi-Region set: each replica's last use is read in its own Region, apart from the primary's.</summary>
public sealed class ReportMultiRegionTests
{
    private const string Alias = "alias/orders";
    private const string ReplicaRegion = "eu-west-1";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Report_AReplicaUsedWhileItsPrimaryWasNot_ShowsEachOnesOwnLastUse()
    {
        // LocalKms records use from 2026-04-27 on, as KMS does; the harness's clock starts earlier.
        _cli.Time.Advance(TimeSpan.FromDays(400));
        var primary = (await _cli.Kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "orders" })).KeyMetadata.KeyId;
        await _cli.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = primary });
        await _cli.Kms.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary, ReplicaRegion = ReplicaRegion });
        using var replica = _cli.Service.CreateClient(ReplicaRegion);
        await replica.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = primary });
        _cli.Time.Advance(TimeSpan.FromDays(3));
        await replica.EncryptAsync(new EncryptRequest { KeyId = primary, Plaintext = new MemoryStream("hello"u8.ToArray()) });

        var run = await _cli.RunAsync("report", Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(ReportSchema.Violations(run.Json()));
        var current = run.Json().GetProperty("aliases")[0].GetProperty("generations")[0];
        Assert.Equal("never-used", current.GetProperty("lastUse").GetProperty("kind").GetString());
        var replicaUse = Assert.Single(current.GetProperty("replicas").EnumerateArray());
        Assert.Equal((ReplicaRegion, "used", "Encrypt"), (replicaUse.GetProperty("region").GetString(), replicaUse.GetProperty("lastUse").GetProperty("kind").GetString(), replicaUse.GetProperty("lastUse").GetProperty("operation").GetString()));
    }
}
