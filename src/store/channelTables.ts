/**
 * Tables of the local web-chat channel (src/channel): its conversations, the hashes of the
 * tokens it issued, and each conversation's activity log. `seq` is the per-conversation
 * sequence number that Direct Line clients see as the watermark.
 */
export interface ChannelConversationTable {
  id: string;
  /** The user id bound to the conversation at start; posted activities are attributed to it. */
  user_id: string;
  /** The highest `seq` handed out so far; bumped in the same transaction as each insert. */
  last_seq: number;
  created_at: string;
}

export interface ChannelTokenTable {
  /** SHA-256 of the token (hex): a leaked database does not leak usable tokens. */
  token_hash: string;
  conversation_id: string;
  expires_at: string;
  created_at: string;
}

export interface ChannelActivityTable {
  conversation_id: string;
  seq: number;
  /** The activity id clients see (`<conversationId>|<seq>`), kept when the activity is updated. */
  activity_id: string;
  /** The activity as JSON. */
  activity: string;
  created_at: string;
}

export interface ChannelTables {
  channel_conversations: ChannelConversationTable;
  channel_tokens: ChannelTokenTable;
  channel_activities: ChannelActivityTable;
}
