using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// KMS takes up to five minutes before grants that hang on a key's tags or aliases count: LocalKms denies non-admin
/// callers on keys whose tags or aliases changed within its AuthorizationDelay, and the run retries instead of failing.
/// </summary>
public sealed class AuthorizationDelayTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();
    private int _denied;

    public AuthorizationDelayTests()
    {
        _world.Kms.AuthorizationDelay = TimeSpan.FromSeconds(90);

        // Each denial lets 30 seconds of KMS time pass, so the grants count after a few retries.
        _world.Kms.OnAuthorizationDenied = _ =>
        {
            Interlocked.Increment(ref _denied);
            _world.Time.Advance(TimeSpan.FromSeconds(30));
        };
    }

    [Fact]
    public async Task Rotate_StepsOnTheNewKeyDeniedAtFirst_RetriesAndRotates()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        using var role = RoleClient();

        var result = await RunAsync(role);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.True(_denied > 0, "LocalKms never denied a call: the delay was not simulated.");
        var current = _world.Key(Alias);
        Assert.Equal((result.NewKeyId, "active"), (current.KeyId, current.Tags[RotationTags.State]));
        Assert.Equal("retired", _world.Key(old.KeyId).Tags[RotationTags.State]);
    }

    [Fact]
    public async Task Rotate_DeniedUntilTheDeadline_FailsNamingTheDenialAndLeavesTheAlias()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.AuthorizationDelay = TimeSpan.FromDays(1);
        using var role = RoleClient();

        // Time passes (30 s per denial) until the deadline leaves no room for another retry.
        var result = await RunAsync(role, deadline: _world.Time.GetUtcNow() + TimeSpan.FromMinutes(2));

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("AccessDeniedException", result.Reason, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
        Assert.True(_denied > 1, "The denied step was not retried.");
    }

    [Fact]
    public async Task LocalKms_AdminCaller_IsNeverDenied()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.TagResourceAsync(new Amazon.KeyManagementService.Model.TagResourceRequest { KeyId = key.KeyId, Tags = [new() { TagKey = "team", TagValue = "orders" }] });

        await _world.Client.DescribeKeyAsync(new Amazon.KeyManagementService.Model.DescribeKeyRequest { KeyId = Alias });

        Assert.Equal(0, _denied);
    }

    public void Dispose() => _world.Dispose();

    /// <summary>A client with the rotation role's access key (not LocalKms's admin), so the delay applies to it.</summary>
    private AmazonKeyManagementServiceClient RoleClient()
    {
        var config = _world.Kms.CreateClientConfig();
        config.MaxErrorRetry = 0;
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials("AKIAROTATIONROLE", "secret"), config);
    }

    private async Task<AliasRotationResult> RunAsync(IAmazonKeyManagementService client, DateTimeOffset? deadline = null)
    {
        var options = new RotationOptions { AuthorizationRetryDelay = TimeSpan.FromMilliseconds(1) };
        var engine = RotationComposition.Engine(client, _world.Notifier, options, _world.Time, NullRotationLog.Instance, keyFinder: _world.KeyFinder);
        var report = await engine.RunAsync(new RotationRequest { RotationId = "rot-auth", Aliases = [Alias], Deadline = deadline }, CancellationToken.None);
        return Assert.Single(report.Results);
    }
}
