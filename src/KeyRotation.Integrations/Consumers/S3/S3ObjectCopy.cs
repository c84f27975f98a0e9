using Amazon.S3;
using Amazon.S3.Model;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// The CopyObject request that re-encrypts an object in place under a new key, built from what HeadObject and
/// GetObjectAcl showed. Metadata and tags are copied by S3 (x-amz-metadata-directive and x-amz-tagging-directive COPY),
/// with the system headers; what COPY does not carry is sent explicitly: the storage class (a copy is STANDARD
/// otherwise), the website redirect (never copied), bucket-key use, and the ACL (a copy gets the private ACL otherwise),
/// as x-amz-grant-* headers of the copy itself, so the object is never visible under a wrong ACL. The copy is conditional
/// on the ETag that was read (x-amz-copy-source-if-match): a write in between makes S3 answer 412 and nothing is copied.
/// </summary>
internal static class S3ObjectCopy
{
    public static CopyObjectRequest Build(string bucket, string key, S3ObjectState state, GetObjectAclResponse acl, string keyArn)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(acl);
        var request = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = key,
            DestinationBucket = bucket,
            DestinationKey = key,
            ETagToMatch = state.ETag,
            MetadataDirective = S3MetadataDirective.COPY,
            TaggingDirective = TaggingDirective.COPY,
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(state.Sse),
            ServerSideEncryptionKeyManagementServiceKeyId = keyArn,
            StorageClass = S3StorageClass.FindValue(state.StorageClass),
            ChecksumAlgorithm = S3ObjectChecksum.ForCopy(state.Checksum),
        };
        if (state.Sse == ServerSideEncryptionMethod.AWSKMS.Value)
        {
            // DSSE-KMS takes no S3 Bucket Key; for SSE-KMS the object's own choice is kept, not the bucket's default.
            request.BucketKeyEnabled = state.BucketKeyEnabled;
        }

        if (state.Kept.FirstOrDefault(k => k.Key == "x-amz-website-redirect-location").Value is { } redirect)
        {
            request.WebsiteRedirectLocation = redirect;
        }

        ApplyAcl(request, acl);
        return request;
    }

    /// <summary>The default private ACL: the owner's FULL_CONTROL alone (sent as no grant header at all).</summary>
    public static bool IsOwnerOnly(GetObjectAclResponse acl) =>
        acl?.Grants is [{ Grantee.Type.Value: "CanonicalUser" } only] && only.Grantee.CanonicalUser == acl.Owner?.Id && only.Permission == S3Permission.FULL_CONTROL;

    /// <summary>
    /// The object's ACL as grant headers of the copy; nothing for the default private ACL (the owner's FULL_CONTROL
    /// alone), which is also all a bucket with ACLs disabled (Object Ownership "bucket owner enforced") accepts.
    /// </summary>
    private static void ApplyAcl(CopyObjectRequest request, GetObjectAclResponse acl)
    {
        var grants = acl.Grants ?? [];
        if (IsOwnerOnly(acl))
        {
            return;
        }

        string? Grantees(S3Permission permission)
        {
            var names = grants.Where(g => g.Permission == permission).Select(g => g.Grantee.Type.Value switch
            {
                "Group" => $"uri=\"{g.Grantee.URI}\"",
                "AmazonCustomerByEmail" => $"emailAddress=\"{g.Grantee.EmailAddress}\"",
                _ => $"id=\"{g.Grantee.CanonicalUser}\"",
            }).ToList();
            return names.Count == 0 ? null : string.Join(", ", names);
        }

        request.GrantFullControl = Grantees(S3Permission.FULL_CONTROL);
        request.GrantRead = Grantees(S3Permission.READ);
        request.GrantReadACP = Grantees(S3Permission.READ_ACP);
        request.GrantWriteACP = Grantees(S3Permission.WRITE_ACP);
    }
}
