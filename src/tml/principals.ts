/**
 * What a sync of users and groups (`principals/principals.yaml`) did, or as a
 * dry run would do: the names per change, in v1 `user/sync`'s field names
 * (reference §2.5). One shape for every layer that speaks of it: the client
 * (v1's answer as it is, v2's `groups/import` and `users/import` read into it),
 * the workflows' port, and the emulator's answer. It is declared here because
 * tml/ imports nothing of ours and every one of those layers may import it,
 * while none of them may import another's (the emulator never the client,
 * the workflows never the client, the client never the workflows).
 */
export interface PrincipalChanges {
  usersAdded: string[];
  usersDeleted: string[];
  usersUpdated: string[];
  groupsAdded: string[];
  groupsDeleted: string[];
  groupsUpdated: string[];
}
