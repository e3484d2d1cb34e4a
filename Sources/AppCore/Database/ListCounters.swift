import Paddock
import PaddockSQL

/// The counts migration 5 creates and its triggers keep exact, so that the
/// lists' totals and deep pages do not cost more as the tables grow.
///
/// - `user_count_shards (shard, n)`: users per `id % totalShards`. The total
///   is the sum of at most `totalShards` rows. Registrations in flight get
///   consecutive ids, so they update different rows: on PostgreSQL a row
///   lock held until commit would otherwise queue every registration
///   behind the one before it.
/// - `user_id_block_counts (block, n)`: users per block of `blockSize`
///   consecutive ids (`id / blockSize`), and `user_id_superblock_counts
///   (superblock, n)` per `blocksPerSuperblock` blocks. The first user of
///   a page is found by summing superblocks (a few rows per 100,000 ids),
///   then the blocks of one superblock, then skipping at most
///   `blockSize - 1` ids inside one block through the primary key. They
///   are not split: a split multiplies the rows every deep page sums, and
///   registrations updating them measured no slower than without counts
///   (docs/performance.md).
/// - `post_counts (user_id, shard, n)`: posts per author, split by
///   `post id % postShards` (one author posting from many clients at once).
///
/// The constants are part of migration 5's triggers: changing one needs a
/// new migration that rebuilds the counts.
enum ListCounters {
    static let totalShards = 16
    static let blockSize = 1024
    static let blocksPerSuperblock = 32
    static var superblockSize: Int { blockSize * blocksPerSuperblock }
    static let postShards = 8
    /// The tables migration 5 creates.
    static let tableNames = ["user_count_shards", "user_id_block_counts", "user_id_superblock_counts", "post_counts"]

    /// The shard and block expressions, written once for triggers, backfills and queries.
    private static func totalShard(_ id: String) -> String { "\(id) % \(totalShards)" }
    private static func block(_ id: String) -> String { "\(id) / \(blockSize)" }
    private static func superblock(_ id: String) -> String { "\(id) / \(superblockSize)" }
    private static func postShard(_ id: String) -> String { "\(id) % \(postShards)" }

    private static func tables(bigint: String) -> String {
        """
        CREATE TABLE user_count_shards (shard INTEGER NOT NULL PRIMARY KEY, n \(bigint) NOT NULL);
        CREATE TABLE user_id_block_counts (block INTEGER NOT NULL PRIMARY KEY, n \(bigint) NOT NULL);
        CREATE TABLE user_id_superblock_counts (superblock INTEGER NOT NULL PRIMARY KEY, n \(bigint) NOT NULL);
        CREATE TABLE post_counts (user_id INTEGER NOT NULL, shard INTEGER NOT NULL, n \(bigint) NOT NULL,
            PRIMARY KEY (user_id, shard));
        INSERT INTO user_count_shards (shard, n) SELECT \(totalShard("id")), count(*) FROM users GROUP BY \(totalShard("id"));
        INSERT INTO user_id_block_counts (block, n) SELECT \(block("id")), count(*) FROM users GROUP BY \(block("id"));
        INSERT INTO user_id_superblock_counts (superblock, n) SELECT \(superblock("id")), count(*) FROM users GROUP BY \(superblock("id"));
        INSERT INTO post_counts (user_id, shard, n)
            SELECT user_id, \(postShard("id")), count(*) FROM posts GROUP BY user_id, \(postShard("id"));
        """
    }

    /// PostgreSQL: row triggers for INSERT, DELETE and a post changing
    /// author, and statement triggers for TRUNCATE (which fires no row
    /// trigger; `paddock seed --force` truncates). Decrements never insert,
    /// so a count a cascade already removed is not brought back negative.
    /// An increment tries a plain UPDATE first: the row almost always
    /// exists, and `INSERT ... ON CONFLICT` costs a speculative insert each
    /// time; the upsert only settles two writers creating the same row.
    static var postgresMigration: String {
        """
        LOCK TABLE users, posts IN SHARE ROW EXCLUSIVE MODE;
        \(tables(bigint: "BIGINT"))
        CREATE FUNCTION paddock_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE user_count_shards SET n = n + 1 WHERE shard = \(totalShard("NEW.id"));
                IF NOT FOUND THEN
                    INSERT INTO user_count_shards (shard, n) VALUES (\(totalShard("NEW.id")), 1)
                        ON CONFLICT (shard) DO UPDATE SET n = user_count_shards.n + 1;
                END IF;
                UPDATE user_id_block_counts SET n = n + 1 WHERE block = \(block("NEW.id"));
                IF NOT FOUND THEN
                    INSERT INTO user_id_block_counts (block, n) VALUES (\(block("NEW.id")), 1)
                        ON CONFLICT (block) DO UPDATE SET n = user_id_block_counts.n + 1;
                END IF;
                UPDATE user_id_superblock_counts SET n = n + 1 WHERE superblock = \(superblock("NEW.id"));
                IF NOT FOUND THEN
                    INSERT INTO user_id_superblock_counts (superblock, n) VALUES (\(superblock("NEW.id")), 1)
                        ON CONFLICT (superblock) DO UPDATE SET n = user_id_superblock_counts.n + 1;
                END IF;
            ELSE
                UPDATE user_count_shards SET n = n - 1 WHERE shard = \(totalShard("OLD.id"));
                UPDATE user_id_block_counts SET n = n - 1 WHERE block = \(block("OLD.id"));
                UPDATE user_id_superblock_counts SET n = n - 1 WHERE superblock = \(superblock("OLD.id"));
                DELETE FROM post_counts WHERE user_id = OLD.id;
            END IF;
            RETURN NULL;
        END $$;
        CREATE FUNCTION paddock_count_posts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE post_counts SET n = n - 1 WHERE user_id = OLD.user_id AND shard = \(postShard("OLD.id"));
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE post_counts SET n = n + 1 WHERE user_id = NEW.user_id AND shard = \(postShard("NEW.id"));
                IF NOT FOUND THEN
                    INSERT INTO post_counts (user_id, shard, n) VALUES (NEW.user_id, \(postShard("NEW.id")), 1)
                        ON CONFLICT (user_id, shard) DO UPDATE SET n = post_counts.n + 1;
                END IF;
            END IF;
            RETURN NULL;
        END $$;
        CREATE FUNCTION paddock_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'users' THEN
                DELETE FROM user_count_shards;
                DELETE FROM user_id_block_counts;
                DELETE FROM user_id_superblock_counts;
            END IF;
            DELETE FROM post_counts;
            RETURN NULL;
        END $$;
        CREATE TRIGGER users_counted AFTER INSERT OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION paddock_count_users();
        CREATE TRIGGER posts_counted AFTER INSERT OR DELETE ON posts FOR EACH ROW EXECUTE FUNCTION paddock_count_posts();
        CREATE TRIGGER posts_recounted AFTER UPDATE OF user_id ON posts FOR EACH ROW
            WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION paddock_count_posts();
        CREATE TRIGGER users_truncated AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION paddock_count_truncated();
        CREATE TRIGGER posts_truncated AFTER TRUNCATE ON posts FOR EACH STATEMENT EXECUTE FUNCTION paddock_count_truncated();
        """
    }

    /// SQLite: the same counts (writers are serialised by the database
    /// lock, so the shards change nothing there but keep one set of
    /// queries). `INSERT OR IGNORE` then `UPDATE` is the increment; SQLite
    /// has no TRUNCATE, and `DELETE` without `WHERE` fires row triggers
    /// when there are any.
    static var sqliteMigration: String {
        """
        \(tables(bigint: "INTEGER"))
        CREATE TRIGGER users_counted_insert AFTER INSERT ON users BEGIN
            INSERT OR IGNORE INTO user_count_shards (shard, n) VALUES (\(totalShard("NEW.id")), 0);
            UPDATE user_count_shards SET n = n + 1 WHERE shard = \(totalShard("NEW.id"));
            INSERT OR IGNORE INTO user_id_block_counts (block, n) VALUES (\(block("NEW.id")), 0);
            UPDATE user_id_block_counts SET n = n + 1 WHERE block = \(block("NEW.id"));
            INSERT OR IGNORE INTO user_id_superblock_counts (superblock, n) VALUES (\(superblock("NEW.id")), 0);
            UPDATE user_id_superblock_counts SET n = n + 1 WHERE superblock = \(superblock("NEW.id"));
        END;
        CREATE TRIGGER users_counted_delete AFTER DELETE ON users BEGIN
            UPDATE user_count_shards SET n = n - 1 WHERE shard = \(totalShard("OLD.id"));
            UPDATE user_id_block_counts SET n = n - 1 WHERE block = \(block("OLD.id"));
            UPDATE user_id_superblock_counts SET n = n - 1 WHERE superblock = \(superblock("OLD.id"));
            DELETE FROM post_counts WHERE user_id = OLD.id;
        END;
        CREATE TRIGGER posts_counted_insert AFTER INSERT ON posts BEGIN
            INSERT OR IGNORE INTO post_counts (user_id, shard, n) VALUES (NEW.user_id, \(postShard("NEW.id")), 0);
            UPDATE post_counts SET n = n + 1 WHERE user_id = NEW.user_id AND shard = \(postShard("NEW.id"));
        END;
        CREATE TRIGGER posts_counted_delete AFTER DELETE ON posts BEGIN
            UPDATE post_counts SET n = n - 1 WHERE user_id = OLD.user_id AND shard = \(postShard("OLD.id"));
        END;
        CREATE TRIGGER posts_recounted AFTER UPDATE OF user_id ON posts WHEN OLD.user_id IS NOT NEW.user_id BEGIN
            UPDATE post_counts SET n = n - 1 WHERE user_id = OLD.user_id AND shard = \(postShard("OLD.id"));
            INSERT OR IGNORE INTO post_counts (user_id, shard, n) VALUES (NEW.user_id, \(postShard("NEW.id")), 0);
            UPDATE post_counts SET n = n + 1 WHERE user_id = NEW.user_id AND shard = \(postShard("NEW.id"));
        END;
        """
    }
}
