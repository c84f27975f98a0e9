using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Protocol;
using Moq;

namespace KeyRotation.Core.Tests.Protocol;

/// <summary>A new replica shows KeyState Creating for a few seconds: its Region's alias waits for it, within a bound.</summary>
public sealed class ReplicaCreatingTests
{
    private const string KeyId = "mrk-1234abcd12ab34cd56ef1234567890ab";

    private static KeyMetadata Replica(KeyState state) => new() { KeyId = KeyId, KeyState = state };

    [Fact]
    public async Task WaitWhileCreating_ReplicaBecomesEnabled_ReturnsItDescribedByKeyId()
    {
        var kms = new Mock<IAmazonKeyManagementService>(MockBehavior.Strict);
        var requests = new List<DescribeKeyRequest>();
        kms.SetupSequence(k => k.DescribeKeyAsync(Capture.In(requests), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeKeyResponse { KeyMetadata = Replica(KeyState.Creating) })
            .ReturnsAsync(new DescribeKeyResponse { KeyMetadata = Replica(KeyState.Enabled) });

        var ready = await ReplicaSet.WaitWhileCreatingAsync(new KmsCalls(kms.Object), Replica(KeyState.Creating), "eu-west-1", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.Equal(KeyState.Enabled, ready.KeyState);
        Assert.Equal([KeyId, KeyId], requests.Select(r => r.KeyId));
    }

    [Fact]
    public async Task WaitWhileCreating_StillCreatingAtTheBound_StopsAndReturnsCreating()
    {
        var kms = new Mock<IAmazonKeyManagementService>(MockBehavior.Strict);
        kms.Setup(k => k.DescribeKeyAsync(It.IsAny<DescribeKeyRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeKeyResponse { KeyMetadata = Replica(KeyState.Creating) });

        var ready = await ReplicaSet.WaitWhileCreatingAsync(new KmsCalls(kms.Object), Replica(KeyState.Creating), "eu-west-1", TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3), CancellationToken.None);

        Assert.Equal(KeyState.Creating, ready.KeyState);
        kms.Verify(k => k.DescribeKeyAsync(It.IsAny<DescribeKeyRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
        Assert.Contains("is Creating, not Enabled", RotationDecisions.CheckReady(Replica(KeyState.Enabled), ready), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitWhileCreating_AlreadyEnabled_DescribesNothing()
    {
        var kms = new Mock<IAmazonKeyManagementService>(MockBehavior.Strict);

        var ready = await ReplicaSet.WaitWhileCreatingAsync(new KmsCalls(kms.Object), Replica(KeyState.Enabled), "eu-west-1", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.Equal(KeyState.Enabled, ready.KeyState);
    }
}
