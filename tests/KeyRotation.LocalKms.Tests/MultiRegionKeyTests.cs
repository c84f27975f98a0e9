using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>Multi-Region keys: ReplicateKey, MultiRegionConfiguration, shared material and rotation, deletion of a primary with replicas.</summary>
public sealed class MultiRegionKeyTests : TwoRegionTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("disaster recovery");

    [Fact]
    public async Task ReplicateKey_Primary_ResponseDescribesReplicaPolicyAndTags()
    {
        var primary = await CreatePrimaryAsync();

        var response = await East.ReplicateKeyAsync(new ReplicateKeyRequest
        {
            KeyId = primary.Arn,
            ReplicaRegion = Second,
            Description = "replica",
            Tags = [new Tag { TagKey = "team", TagValue = "dr" }],
        });

        var replica = response.ReplicaKeyMetadata;
        Assert.Equal(primary.KeyId, replica.KeyId);
        Assert.Equal($"arn:aws:kms:{Second}:111122223333:key/{primary.KeyId}", replica.Arn);
        Assert.Equal("replica", replica.Description);
        Assert.Equal(KeyState.Enabled, replica.KeyState);
        Assert.True(replica.MultiRegion);
        Assert.Equal(MultiRegionKeyType.REPLICA, replica.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(primary.Arn, replica.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(Primary, replica.MultiRegionConfiguration.PrimaryKey.Region);
        var listed = Assert.Single(replica.MultiRegionConfiguration.ReplicaKeys);
        Assert.Equal((replica.Arn, Second), (listed.Arn, listed.Region));
        Assert.Contains("arn:aws:iam::111122223333:root", response.ReplicaPolicy, StringComparison.Ordinal);
        var tag = Assert.Single(response.ReplicaTags);
        Assert.Equal(("team", "dr"), (tag.TagKey, tag.TagValue));
    }

    [Fact]
    public async Task DescribeKey_PrimaryAfterReplication_ListsReplicaKeys()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        await ReplicateAsync(primary.KeyId, "ap-southeast-2");

        var described = await DescribeAsync(East, primary.KeyId);

        Assert.Equal(MultiRegionKeyType.PRIMARY, described.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(["ap-southeast-2", Second], described.MultiRegionConfiguration.ReplicaKeys.Select(r => r.Region).Order(StringComparer.Ordinal));
        Assert.Equal("primary", described.Description);
    }

    [Fact]
    public async Task Decrypt_CiphertextFromOtherRegion_DecryptsWithReplicaAndPrimary()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        var fromEast = await Kms.EncryptAsync(primary.KeyId, Secret);
        var fromWest = (await West.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = new MemoryStream(Secret) })).CiphertextBlob.ToArray();

        var inWest = await West.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(fromEast) });

        Assert.Equal(Secret, inWest.Plaintext.ToArray());
        Assert.Equal($"arn:aws:kms:{Second}:111122223333:key/{primary.KeyId}", inWest.KeyId);
        Assert.Equal(Secret, await Kms.DecryptAsync(fromWest));
    }

    [Fact]
    public async Task RotateKeyOnDemand_Primary_ReplicaSharesNewMaterialAndRefusesRotation()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        var before = await Kms.EncryptAsync(primary.KeyId, Secret);

        await East.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });

        var east = await DescribeAsync(East, primary.KeyId);
        var west = await DescribeAsync(West, primary.KeyId);
        Assert.NotEqual(primary.CurrentKeyMaterialId, east.CurrentKeyMaterialId);
        Assert.Equal(east.CurrentKeyMaterialId, west.CurrentKeyMaterialId);
        Assert.Equal(Secret, (await West.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before) })).Plaintext.ToArray());
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => West.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId }));
    }

    [Fact]
    public async Task ReplicateKey_IntoPrimaryRegion_ThrowsAlreadyExists()
    {
        var primary = await CreatePrimaryAsync();

        await Assert.ThrowsAsync<AlreadyExistsException>(() => ReplicateAsync(primary.KeyId, Primary));
    }

    [Fact]
    public async Task ReplicateKey_RegionHoldsReplica_ThrowsAlreadyExistsAndKeepsOneReplica()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);

        await Assert.ThrowsAsync<AlreadyExistsException>(() => ReplicateAsync(primary.KeyId));

        Assert.Single((await DescribeAsync(East, primary.KeyId)).MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task ReplicateKey_SingleRegionKey_ThrowsUnsupportedOperation()
    {
        var key = (await East.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => ReplicateAsync(key.KeyId));
    }

    [Fact]
    public async Task ReplicateKey_FromReplica_ThrowsUnsupportedOperation()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => West.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "us-west-2" }));
    }

    [Fact]
    public async Task ReplicateKey_MalformedRegion_ThrowsValidation()
    {
        var primary = await CreatePrimaryAsync();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => ReplicateAsync(primary.KeyId, "mars"));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task ReplicateKey_DisabledPrimary_ThrowsDisabled()
    {
        var primary = await CreatePrimaryAsync();
        await East.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId });

        await Assert.ThrowsAsync<DisabledException>(() => ReplicateAsync(primary.KeyId));
    }

    [Fact]
    public async Task ScheduleKeyDeletion_PrimaryWithReplica_PendingReplicaDeletionUntilReplicaIsDeleted()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);

        var scheduled = await East.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });
        var waiting = await DescribeAsync(East, primary.KeyId);
        await West.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 10 });
        var replicaDeletedAt = Kms.Time.GetUtcNow().AddDays(10);
        Kms.Time.Advance(TimeSpan.FromDays(10));
        var afterReplica = await DescribeAsync(East, primary.KeyId);

        Assert.Equal(KeyState.PendingReplicaDeletion, scheduled.KeyState);
        Assert.Null(scheduled.DeletionDate);
        Assert.Equal(7, scheduled.PendingWindowInDays);
        Assert.Equal(KeyState.PendingReplicaDeletion, waiting.KeyState);
        Assert.Equal(7, waiting.PendingDeletionWindowInDays);
        Assert.Equal(KeyState.PendingDeletion, afterReplica.KeyState);
        Assert.Equal(replicaDeletedAt.AddDays(7).UtcDateTime, afterReplica.DeletionDate);
        Assert.Empty(afterReplica.MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task GetKeyRotationStatus_PrimaryPendingReplicaDeletion_ReportsFalse()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        await East.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId });
        await East.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId });

        var status = await East.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId });

        Assert.False(status.KeyRotationEnabled);
    }

    [Fact]
    public async Task CancelKeyDeletion_PendingReplicaDeletion_PrimaryDisabledAndUsableAfterEnable()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        await East.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId });

        await East.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = primary.KeyId });
        var cancelled = (await DescribeAsync(East, primary.KeyId)).KeyState;
        await East.EnableKeyAsync(new EnableKeyRequest { KeyId = primary.KeyId });

        Assert.Equal(KeyState.Disabled, cancelled);
        Assert.Equal(Secret, await Kms.DecryptAsync(await Kms.EncryptAsync(primary.KeyId, Secret)));
    }

    [Fact]
    public async Task AutomaticRotation_PrimaryWithReplica_RotatesOnceForTheSet()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        await East.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId, RotationPeriodInDays = 90 });

        Kms.Time.Advance(TimeSpan.FromDays(90));
        var west = (await West.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId })).Rotations;

        Assert.Equal(RotationType.AUTOMATIC, Assert.Single(west).RotationType);
        Assert.True((await West.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId })).KeyRotationEnabled);
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => West.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = primary.KeyId }));
    }
}
