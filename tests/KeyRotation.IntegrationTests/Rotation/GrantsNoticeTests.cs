namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>The function's notice lists the previous key's grants, which a rotation never carries over.</summary>
public sealed class GrantsNoticeTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Rotate_PreviousKeyHasGrants_NoticeListsEachGrant()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        var grantId = _world.Kms.AddGrant(old.KeyId, "arn:aws:iam::111122223333:role/orders-worker", ["Decrypt", "GenerateDataKey"], "orders-worker");

        await _world.InvokeAsync("{}", Alias);

        var message = Assert.Single(_world.Sns.Snapshot())["Message"];
        Assert.Contains("Grants on the previous key (1); they are not carried over.", message, StringComparison.Ordinal);
        Assert.Contains($"- {grantId} (orders-worker): arn:aws:iam::111122223333:role/orders-worker may Decrypt, GenerateDataKey", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_ListGrantsDenied_RotationSucceedsAndNoticeSaysHowToList()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.Faults.FailEvery("ListGrants", "AccessDeniedException", "not authorized to perform kms:ListGrants");

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("Rotated", response.GetProperty("results")[0].GetProperty("outcome").GetString());
        var message = Assert.Single(_world.Sns.Snapshot())["Message"];
        Assert.Contains($"Grants on the previous key could not be listed (AccessDeniedException", message, StringComparison.Ordinal);
        Assert.Contains($"'aws kms list-grants --key-id {old.KeyId}'", message, StringComparison.Ordinal);
    }
}
