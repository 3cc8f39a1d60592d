package dev.tracelet.plugin.wandb;

/**
 * The GraphQL operations this plugin sends, written against W&amp;B's public schema. Each selects
 * only what the plugin reads.
 */
final class GraphqlDocuments {
  private GraphqlDocuments() {}

  static final String UPSERT_BUCKET =
      """
      mutation UpsertBucket(
        $id: String, $name: String, $project: String, $entity: String,
        $groupName: String, $description: String, $displayName: String, $notes: String,
        $config: JSONString, $jobType: String, $tags: [String!]
      ) {
        upsertBucket(input: {
          id: $id, name: $name, modelName: $project, entityName: $entity,
          groupName: $groupName, description: $description, displayName: $displayName,
          notes: $notes, config: $config, jobType: $jobType, tags: $tags
        }) {
          bucket {
            id name displayName description config tags
            historyLineCount eventsLineCount logLineCount summaryMetrics
            project { id name entity { id name } }
          }
          inserted
        }
      }
      """;

  static final String CREATE_ARTIFACT =
      """
      mutation CreateArtifact(
        $entityName: String!, $projectName: String!, $artifactTypeName: String!,
        $artifactCollectionName: String!, $runName: String, $digest: String!,
        $description: String, $aliases: [ArtifactAliasInput!], $metadata: JSONString,
        $clientID: ID!, $sequenceClientID: ID!
      ) {
        createArtifact(input: {
          entityName: $entityName, projectName: $projectName,
          artifactTypeName: $artifactTypeName, artifactCollectionName: $artifactCollectionName,
          runName: $runName, digest: $digest, digestAlgorithm: MANIFEST_MD5,
          description: $description, aliases: $aliases, metadata: $metadata,
          enableDigestDeduplication: true, clientID: $clientID, sequenceClientID: $sequenceClientID
        }) {
          artifact { id state versionIndex }
        }
      }
      """;

  static final String CREATE_ARTIFACT_MANIFEST =
      """
      mutation CreateArtifactManifest(
        $artifactID: ID!, $name: String!, $digest: String!, $entityName: String!,
        $projectName: String!, $runName: String!, $manifestType: ArtifactManifestType!,
        $includeUpload: Boolean!
      ) {
        createArtifactManifest(input: {
          artifactID: $artifactID, name: $name, digest: $digest, entityName: $entityName,
          projectName: $projectName, runName: $runName, type: $manifestType
        }) {
          artifactManifest {
            id
            file { id uploadUrl @include(if: $includeUpload) uploadHeaders @include(if: $includeUpload) }
          }
        }
      }
      """;

  static final String CREATE_ARTIFACT_FILES =
      """
      mutation CreateArtifactFiles($input: CreateArtifactFilesInput!) {
        createArtifactFiles(input: $input) {
          files { edges { node { name uploadUrl uploadHeaders artifact { id } } } }
        }
      }
      """;

  static final String COMMIT_ARTIFACT =
      """
      mutation CommitArtifact($artifactID: ID!) {
        commitArtifact(input: {artifactID: $artifactID}) {
          artifact { id digest versionIndex }
        }
      }
      """;
}
