using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class AliasAndTagTests
{
    [Fact]
    public async Task CreateAlias_ReservedAwsPrefix_ThrowsNotAuthorized()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/mine", TargetKeyId = key.KeyId }));

        Assert.Equal("NotAuthorizedException", ex.ErrorCode);
    }

    [Fact]
    public async Task CreateAlias_NameWithoutAliasPrefix_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "app", TargetKeyId = key.KeyId }));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Contains("Alias must start with the prefix \"alias/\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAlias_NameWithForbiddenCharacter_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var aliasName = string.Join(' ', "alias/app", "name"); // a literal would trip the SDK's compile-time pattern check

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = key.KeyId }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task CreateAlias_NameTaken_ThrowsAlreadyExists()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");
        var other = await kms.CreateKeyAsync();

        await Assert.ThrowsAsync<AlreadyExistsException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = other.KeyId }));
    }

    [Fact]
    public async Task CreateAlias_TargetIsAlias_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/second", TargetKeyId = "alias/app" }));
    }

    [Fact]
    public async Task CreateAlias_TargetIsAwsManagedKey_ThrowsNotAuthorized()
    {
        using var kms = new LocalKmsHarness();
        var managed = kms.Service.CreateAwsManagedKey("s3");

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/mine", TargetKeyId = managed }));

        Assert.Equal("NotAuthorizedException", ex.ErrorCode);
    }

    [Fact]
    public async Task CreateAlias_TargetPendingDeletion_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.SetKeyState(key.KeyId, "PendingDeletion");

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = key.KeyId }));
    }

    [Fact]
    public async Task UpdateAlias_SameTypeAndUsage_RepointsAlias()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");
        var next = await kms.CreateKeyAsync();

        await kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = next.Arn });

        var described = await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/app" });
        Assert.Equal(next.KeyId, described.KeyMetadata.KeyId);
    }

    [Fact]
    public async Task UpdateAlias_TargetOfOtherKeyType_ThrowsValidationAndKeepsTarget()
    {
        using var kms = new LocalKmsHarness();
        var current = await kms.CreateKeyWithAliasAsync("alias/app");
        var hmac = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = hmac.KeyId }));

        Assert.Equal("ValidationException", ex.ErrorCode);
        Assert.Contains("alias/app", kms.Service.GetKeySnapshot(current.KeyId)!.Aliases);
    }

    [Fact]
    public async Task UpdateAlias_TargetWithOtherKeyUsage_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/rsa", new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.SIGN_VERIFY });
        var encryptRsa = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT });

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/rsa", TargetKeyId = encryptRsa.KeyId }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task UpdateAlias_MissingAlias_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/none", TargetKeyId = key.KeyId }));
    }

    [Fact]
    public async Task DeleteAlias_Existing_AliasNoLongerResolves()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");

        await kms.Client.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/app" });

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/app" }));
    }

    [Fact]
    public async Task ListAliases_WithAwsManagedAlias_ListsBothWithTargets()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyWithAliasAsync("alias/app");
        var managed = kms.Service.CreateAwsManagedKey("ebs");

        var aliases = (await kms.Client.ListAliasesAsync(new ListAliasesRequest())).Aliases;

        Assert.Equal(["alias/app", "alias/aws/ebs"], aliases.Select(a => a.AliasName));
        Assert.Equal([key.KeyId, managed], aliases.Select(a => a.TargetKeyId));
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:alias/app", aliases[0].AliasArn);
        Assert.Equal(kms.Time.GetUtcNow().UtcDateTime, aliases[0].CreationDate);
    }

    [Fact]
    public async Task ListAliases_KeyIdFilter_ListsOnlyThatKeysAliases()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyWithAliasAsync("alias/a");
        await kms.CreateKeyWithAliasAsync("alias/b");

        var aliases = (await kms.Client.ListAliasesAsync(new ListAliasesRequest { KeyId = key.Arn })).Aliases;

        Assert.Equal(["alias/a"], aliases.Select(a => a.AliasName));
    }

    [Fact]
    public async Task DescribeKey_AwsManagedAlias_KeyManagerIsAws()
    {
        using var kms = new LocalKmsHarness();
        kms.Service.CreateAwsManagedKey("s3");

        var key = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/aws/s3" })).KeyMetadata;

        Assert.Equal(KeyManagerType.AWS, key.KeyManager);
    }

    [Fact]
    public async Task TagResource_ThenListResourceTags_ReturnsTagsAndPages()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "a", TagValue = "1" }] });

        await kms.Client.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = "b", TagValue = "2" }, new Tag { TagKey = "a", TagValue = "3" }] });
        var first = await kms.Client.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 1 });
        var second = await kms.Client.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 1, Marker = first.NextMarker });

        Assert.Equal(("a", "3"), (first.Tags[0].TagKey, first.Tags[0].TagValue));
        Assert.True(first.Truncated);
        Assert.Equal(("b", "2"), (second.Tags[0].TagKey, second.Tags[0].TagValue));
        Assert.False(second.Truncated);
    }

    [Fact]
    public async Task UntagResource_ExistingKey_RemovesOnlyThatTag()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "a", TagValue = "1" }, new Tag { TagKey = "b", TagValue = "2" }] });

        await kms.Client.UntagResourceAsync(new UntagResourceRequest { KeyId = key.KeyId, TagKeys = ["a"] });

        Assert.Equal(["b"], kms.Service.GetKeySnapshot(key.KeyId)!.Tags.Keys);
    }

    [Theory]
    [InlineData("aws:owner", "x")]
    [InlineData("", "x")]
    [InlineData("k", null)]
    public async Task TagResource_InvalidTag_ThrowsTagException(string tagKey, string? tagValue)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        tagValue ??= new string('v', 257);

        await Assert.ThrowsAsync<TagException>(() => kms.Client.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = tagKey, TagValue = tagValue }] }));
    }

    [Fact]
    public async Task TagResource_TagKeyOver128Chars_ThrowsTagException()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await Assert.ThrowsAsync<TagException>(() => kms.Client.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = new string('k', 129), TagValue = "v" }] }));
    }

    [Fact]
    public async Task TagResource_MoreThan50Tags_ThrowsTagExceptionAndAddsNone()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var tags = Enumerable.Range(0, 51).Select(i => new Tag { TagKey = $"k{i}", TagValue = "v" }).ToList();

        await Assert.ThrowsAsync<TagException>(() => kms.Client.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = tags }));

        Assert.Empty(kms.Service.GetKeySnapshot(key.KeyId)!.Tags);
    }

    [Fact]
    public async Task CreateKey_AwsPrefixedTag_ThrowsTagExceptionAndCreatesNothing()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<TagException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "aws:x", TagValue = "v" }] }));

        Assert.Empty(kms.Service.ListKeySnapshots());
    }
}
