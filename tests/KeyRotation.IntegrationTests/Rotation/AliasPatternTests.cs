using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Configuration;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>ROTATION_ALIASES with prefix patterns, resolved by the real handler through the SDK's ListAliases paginator.</summary>
public sealed class AliasPatternTests : IDisposable
{
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Invoke_PatternOverMorePagesThanOne_SelectsEveryMatchOnceWithOnePagedListing()
    {
        var prod = Enumerable.Range(0, 130).Select(i => $"alias/prod/app-{i:000}").ToList();
        string? key = null;
        var count = 0;
        foreach (var alias in prod.Concat(["alias/production/app", "alias/prod", "alias/billing"]))
        {
            // A key can have at most 50 aliases.
            if (count++ % 40 == 0)
            {
                key = (await _world.Client.CreateKeyAsync(new CreateKeyRequest { Description = "shared" })).KeyMetadata.KeyId;
            }

            await _world.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key });
        }

        _world.Environment[SettingNames.DryRun] = "true";
        _world.Kms.ClearRecordedRequests();

        var response = await _world.InvokeAsync("{}", "alias/billing", "alias/prod/*", "alias/prod/app-007");

        var selected = response.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("alias").GetString()).ToList();
        Assert.Equal(["alias/billing", "alias/prod/app-007", .. prod.Where(a => a != "alias/prod/app-007")], selected);
        var listings = _world.Kms.RecordedRequests.Where(r => r.Operation == "ListAliases").ToList();
        Assert.Equal(2, listings.Count(r => !r.Body.Contains("KeyId", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Invoke_EventNamingAnAliasThePatternSelects_IsAccepted()
    {
        await _world.CreateAliasedKeyAsync("alias/prod/orders");
        _world.Environment[SettingNames.RotationAliases] = "alias/prod/*";

        var response = await _world.InvokeAsync(_world.Client, """{"aliases":["alias/prod/orders"]}""");

        Assert.Equal("Rotated", response.GetProperty("results")[0].GetProperty("outcome").GetString());
    }

    public void Dispose() => _world.Dispose();
}
