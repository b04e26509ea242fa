-- One row per shot, every modality joined on the title's timeline (rendition time, seconds from 0).
-- Inputs are one title's tables; `pairs` says which audio source each video source is heard with.
WITH
title_language AS (
    SELECT language FROM segments WHERE language IS NOT NULL
    GROUP BY language ORDER BY count(*) DESC, language LIMIT 1
),
-- The subtitle file shown in the row: the one in the transcript's language, else the first by name.
subtitle_file AS (
    SELECT file_name, any_value(language) AS language FROM cues GROUP BY file_name
    ORDER BY coalesce(split_part(any_value(language), '-', 1) = (SELECT language FROM title_language), false) DESC,
             file_name
    LIMIT 1
),
asr AS (
    SELECT source_id, any_value(language) AS language, any_value(model) AS model,
           any_value(code_version) AS code_version
    FROM segments GROUP BY source_id
),
-- A word belongs to the shot that contains its midpoint, so each word lands in exactly one shot.
shot_words AS (
    SELECT sh.source_id, sh.shot_index,
           string_agg(trim(w.word), ' ' ORDER BY w.segment_index, w.word_index) AS transcript_text,
           count(*) AS word_count
    FROM shots sh
    JOIN pairs p ON p.source_id = sh.source_id
    JOIN words w ON w.source_id = p.audio_source_id
     AND (w.start_s + w.end_s) / 2 >= sh.start_s AND (w.start_s + w.end_s) / 2 < sh.end_s
    GROUP BY sh.source_id, sh.shot_index
),
shot_speech AS (
    SELECT sh.source_id, sh.shot_index,
           sum(least(r.end_s, sh.end_s) - greatest(r.start_s, sh.start_s)) AS speech_s
    FROM shots sh
    JOIN pairs p ON p.source_id = sh.source_id
    JOIN speech r ON r.source_id = p.audio_source_id AND r.start_s < sh.end_s AND r.end_s > sh.start_s
    GROUP BY sh.source_id, sh.shot_index
),
-- Subtitles are the title's: a cue is in every shot it is on screen during.
shot_cues AS (
    SELECT sh.source_id, sh.shot_index,
           string_agg(c.text, chr(10) ORDER BY c.start_s, c.cue_index) AS subtitle_text,
           count(*) AS subtitle_cues
    FROM shots sh
    JOIN cues c ON c.file_name = (SELECT file_name FROM subtitle_file)
     AND c.start_s < sh.end_s AND c.end_s > sh.start_s
    GROUP BY sh.source_id, sh.shot_index
),
frame_stats AS (
    SELECT source_id, shot_index, count(*) AS sampled_frames,
           avg(brightness) AS brightness, avg(contrast) AS contrast, avg(colorfulness) AS colorfulness,
           avg(sharpness) AS sharpness, avg(motion) AS motion, max(motion) AS max_motion,
           any_value(phash) FILTER (WHERE is_keyframe) AS keyframe_phash,
           any_value(dominant_colors) FILTER (WHERE is_keyframe) AS dominant_colors
    FROM frames GROUP BY source_id, shot_index
),
shot_annotations AS (
    SELECT sh.source_id, sh.shot_index,
           list(DISTINCT a.label ORDER BY a.label) AS annotation_labels,
           to_json(list({
               'label': a.label, 'annotator': a.annotator, 'start_s': a.start_s, 'end_s': a.end_s,
               'overlap_s': round(least(a.end_s, sh.end_s) - greatest(a.start_s, sh.start_s), 3)
           } ORDER BY a.start_s, a.label, a.annotator))::VARCHAR AS annotations_json
    FROM shots sh JOIN annotations a ON a.start_s < sh.end_s AND a.end_s > sh.start_s
    GROUP BY sh.source_id, sh.shot_index
)
SELECT
    sh.source_id, sh.shot_index, sh.start_s, sh.end_s, round(sh.end_s - sh.start_s, 6) AS duration_s,
    sh.start_frame, sh.end_frame, sh.transition_in, sh.transition_confidence,
    sh.keyframe_uri, sh.duplicate_group,
    fs.sampled_frames, fs.brightness, fs.contrast, fs.colorfulness, fs.sharpness, fs.motion, fs.max_motion,
    fs.keyframe_phash, fs.dominant_colors,
    p.audio_source_id,
    coalesce(sw.transcript_text, '') AS transcript_text,
    coalesce(sw.word_count, 0) AS word_count,
    round(coalesce(ss.speech_s, 0) / nullif(sh.end_s - sh.start_s, 0), 4) AS speech_ratio,
    asr.language AS language,
    coalesce(sc.subtitle_text, '') AS subtitle_text,
    coalesce(sc.subtitle_cues, 0) AS subtitle_cues,
    (SELECT file_name FROM subtitle_file) AS subtitle_file,
    sa.rms_dbfs, sa.speech_share, sa.music_share, sa.silence_share, sa.other_share,
    sa.onset_rate, sa.spectral_centroid_hz,
    coalesce(an.annotation_labels, []) AS annotation_labels,
    coalesce(an.annotations_json, '[]') AS annotations_json,
    sh.source_sha256,
    sh.code_version AS shots_code_version,
    asr.model AS asr_model,
    asr.code_version AS transcripts_code_version,
    sa.code_version AS audio_code_version
FROM shots sh
LEFT JOIN pairs p ON p.source_id = sh.source_id
LEFT JOIN frame_stats fs ON fs.source_id = sh.source_id AND fs.shot_index = sh.shot_index
LEFT JOIN shot_words sw ON sw.source_id = sh.source_id AND sw.shot_index = sh.shot_index
LEFT JOIN shot_speech ss ON ss.source_id = sh.source_id AND ss.shot_index = sh.shot_index
LEFT JOIN shot_cues sc ON sc.source_id = sh.source_id AND sc.shot_index = sh.shot_index
LEFT JOIN asr ON asr.source_id = p.audio_source_id
LEFT JOIN shot_audio sa ON sa.source_id = sh.source_id AND sa.shot_index = sh.shot_index
LEFT JOIN shot_annotations an ON an.source_id = sh.source_id AND an.shot_index = sh.shot_index
ORDER BY sh.source_id, sh.shot_index
