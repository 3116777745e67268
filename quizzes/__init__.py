"""Knowledge quiz (知识竞赛): question banks, papers, timed answering, practice, rankings."""
