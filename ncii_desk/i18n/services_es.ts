<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
  <context>
    <name>Activity</name>
    <message>
      <source>{first} and {second}</source>
      <translation>{first} y {second}</translation>
    </message>
    <message>
      <source>{who} cleared the possibly-under-18 mark on this case</source>
      <translation>{who} quitó la marca de posible menor de 18 años de este caso</translation>
    </message>
    <message>
      <source>{who} recorded that {platform} changed the removal request</source>
      <translation>{who} registró que {platform} cambió el estado de la solicitud de retiro</translation>
    </message>
    <message>
      <source>{who} checked the vault: {problems} found</source>
      <translation>{who} comprobó la bóveda: se encontraron {problems}</translation>
    </message>
    <message>
      <source>{who} unlocked the vault with the {means}</source>
      <translation>{who} desbloqueó la bóveda con {means}</translation>
    </message>
    <message>
      <source>{who} exported this case as an encrypted hand-over file</source>
      <translation>{who} exportó este caso como archivo de traspaso cifrado</translation>
    </message>
    <message>
      <source>{who} imported this case from a hand-over file</source>
      <translation>{who} importó este caso desde un archivo de traspaso</translation>
    </message>
    <message>
      <source>{who} opened the case</source>
      <translation>{who} abrió el caso</translation>
    </message>
    <message>
      <source>{who} recorded {platform}'s reference number</source>
      <translation>{who} registró el número de referencia de {platform}</translation>
    </message>
    <message>
      <source>when pictures count as a match</source>
      <translation>cuándo las imágenes cuentan como coincidencia</translation>
    </message>
    <message>
      <source>screen preferences</source>
      <translation>preferencias de pantalla</translation>
    </message>
    <message>
      <source>time-stamp service</source>
      <translation>servicio de sellado de tiempo</translation>
    </message>
    <message>
      <source>web capture</source>
      <translation>captura web</translation>
    </message>
    <message>
      <source>removal requests</source>
      <translation>solicitudes de retiro</translation>
    </message>
    <message>
      <source>the name shown in the activity log</source>
      <translation>el nombre que se muestra en el registro de actividad</translation>
    </message>
    <message>
      <source>light or dark look</source>
      <translation>aspecto claro u oscuro</translation>
    </message>
    <message>
      <source>other</source>
      <translation>otra</translation>
    </message>
    <message>
      <source>a file</source>
      <translation>un archivo</translation>
    </message>
    <message>
      <source>a platform</source>
      <translation>una plataforma</translation>
    </message>
    <message>
      <source>{who} marked this case as possibly about someone under 18</source>
      <translation>{who} marcó este caso como posiblemente sobre una persona menor de 18 años</translation>
    </message>
    <message>
      <source>{who} recorded that {platform} acknowledged the removal request</source>
      <translation>{who} registró que {platform} confirmó que recibió la solicitud de retiro</translation>
    </message>
    <message>
      <source>{who} recorded that {platform} removed the removal request</source>
      <translation>{who} registró que {platform} retiró el contenido pedido en la solicitud de retiro</translation>
    </message>
    <message>
      <source>{who} recorded that {platform} refused the removal request</source>
      <translation>{who} registró que {platform} rechazó la solicitud de retiro</translation>
    </message>
    <message>
      <source>{who} checked the vault: no problems found</source>
      <translation>{who} comprobó la bóveda: no se encontraron problemas</translation>
    </message>
    <message>
      <source>{who} unlocked the vault with the recovery key</source>
      <translation>{who} desbloqueó la bóveda con la clave de recuperación</translation>
    </message>
    <message>
      <source>{who} unlocked the vault with the passphrase</source>
      <translation>{who} desbloqueó la bóveda con la frase de contraseña</translation>
    </message>
    <message>
      <source>{who} exported this case as an encrypted hand-over file (fingerprints only)</source>
      <translation>{who} exportó este caso como archivo de traspaso cifrado (solo huellas digitales)</translation>
    </message>
    <message>
      <source>{who} imported this case from a hand-over file sent by the vault with fingerprint {fingerprint}</source>
      <translation>{who} importó este caso desde un archivo de traspaso enviado por la bóveda con la huella de clave {fingerprint}</translation>
    </message>
    <message>
      <source>{who} opened the case {case}</source>
      <translation>{who} abrió el caso {case}</translation>
    </message>
    <message>
      <source>{who} recorded {platform}'s reference number {ticket}</source>
      <translation>{who} registró el número de referencia {ticket} de {platform}</translation>
    </message>
    <message>
      <source>{who} created this vault</source>
      <translation>{who} creó esta bóveda</translation>
    </message>
    <message>
      <source>{who} changed the vault passphrase</source>
      <translation>{who} cambió la frase de contraseña de la bóveda</translation>
    </message>
    <message>
      <source>{who} admitted clinic member {member} (key fingerprint {fingerprint})</source>
      <translation>{who} admitió a {member} como miembro de la clínica (huella de la clave {fingerprint})</translation>
    </message>
    <message>
      <source>{who} removed clinic member {member}</source>
      <translation>{who} quitó a {member} de los miembros de la clínica</translation>
    </message>
    <message>
      <source>{who} changed their clinic member passphrase</source>
      <translation>{who} cambió su frase de contraseña de miembro de la clínica</translation>
    </message>
    <message>
      <source>{who} replaced the clinic key (now version {version}) and gave the new one to {members}</source>
      <translation>{who} sustituyó la clave de la clínica (ahora versión {version}) y dio la nueva a {members}</translation>
    </message>
    <message>
      <source>{who}'s vault files were made private to this account ({files})</source>
      <translation>Los archivos de la bóveda de {who} quedaron privados para esta cuenta ({files})</translation>
    </message>
    <message>
      <source>The spare copy of the vault's key file was damaged and was rewritten from the main one</source>
      <translation>La copia de repuesto del archivo de clave de la bóveda estaba dañada y se volvió a escribir a partir de la principal</translation>
    </message>
    <message>
      <source>The vault's key file was damaged and was restored from its spare copy</source>
      <translation>El archivo de clave de la bóveda estaba dañado y se restauró desde su copia de repuesto</translation>
    </message>
    <message>
      <source>The activity log did not match its saved check: someone may have changed or removed entries</source>
      <translation>El registro de actividad no coincidía con su comprobación guardada: es posible que alguien haya cambiado o borrado entradas</translation>
    </message>
    <message>
      <source>{who} ran the built-in self-test</source>
      <translation>{who} ejecutó la autoprueba integrada</translation>
    </message>
    <message>
      <source>{who} checked all pictures of the case for faces and edits</source>
      <translation>{who} revisó todas las imágenes del caso en busca de caras y ediciones</translation>
    </message>
    <message>
      <source>A copy of a file was deleted here too because it is in a possibly-under-18 case; only its fingerprints are kept</source>
      <translation>También se borró aquí una copia de un archivo porque está en un caso posiblemente sobre una persona menor de 18 años; solo se guardan sus huellas digitales</translation>
    </message>
    <message>
      <source>{who} added {file}</source>
      <translation>{who} añadió {file}</translation>
    </message>
    <message>
      <source>Fingerprints of {file} were worked out for matching</source>
      <translation>Se calcularon las huellas digitales de {file} para buscar coincidencias</translation>
    </message>
    <message>
      <source>{who} saved a copy of {file} outside the vault as {saved_as}</source>
      <translation>{who} guardó una copia de {file} fuera de la bóveda como {saved_as}</translation>
    </message>
    <message>
      <source>{who} revealed {file} for {seconds} s</source>
      <translation>{who} mostró {file} durante {seconds} s</translation>
    </message>
    <message>
      <source>{who} recorded where {file} was found: {where}</source>
      <translation>{who} registró dónde se encontró {file}: {where}</translation>
    </message>
    <message>
      <source>Looking for faces in {file} found {faces}</source>
      <translation>La búsqueda de caras en {file} encontró {faces}</translation>
    </message>
    <message>
      <source>The file {file} was checked for faces and edits</source>
      <translation>Se revisó el archivo {file} en busca de caras y ediciones</translation>
    </message>
    <message>
      <source>The file {file} could not be checked for faces and edits ({reason})</source>
      <translation>No se pudo revisar el archivo {file} en busca de caras y ediciones ({reason})</translation>
    </message>
    <message>
      <source>The file {file} was deleted because this case may be about someone under 18; only its fingerprints are kept</source>
      <translation>Se borró el archivo {file} porque este caso puede ser sobre una persona menor de 18 años; solo se guardan sus huellas digitales</translation>
    </message>
    <message>
      <source>{who} changed who took {file}</source>
      <translation>{who} cambió quién tomó {file}</translation>
    </message>
    <message>
      <source>{who} picked the client's face in {file}</source>
      <translation>{who} eligió la cara de su cliente en {file}</translation>
    </message>
    <message>
      <source>{who} unpicked the client's face in {file}</source>
      <translation>{who} quitó la cara elegida de su cliente en {file}</translation>
    </message>
    <message>
      <source>Possible match found: {pair}</source>
      <translation>Posible coincidencia encontrada: {pair}</translation>
    </message>
    <message>
      <source>{who} confirmed the match {pair}</source>
      <translation>{who} confirmó la coincidencia {pair}</translation>
    </message>
    <message>
      <source>{who} rejected the match {pair}</source>
      <translation>{who} rechazó la coincidencia {pair}</translation>
    </message>
    <message>
      <source>{who} captured {page}</source>
      <translation>{who} capturó {page}</translation>
    </message>
    <message>
      <source>{who} tried to capture {page}, but it could not be captured</source>
      <translation>{who} intentó capturar {page}, pero no se pudo</translation>
    </message>
    <message>
      <source>A screenshot of {page} was made</source>
      <translation>Se hizo una captura de pantalla de {page}</translation>
    </message>
    <message>
      <source>{who} saved the web archive of {page} as {saved_as}</source>
      <translation>{who} guardó el archivo web de {page} como {saved_as}</translation>
    </message>
    <message>
      <source>{who} checked again whether {page} is still online</source>
      <translation>{who} volvió a comprobar si {page} sigue en línea</translation>
    </message>
    <message>
      <source>{who} drafted a removal request to {platform}</source>
      <translation>{who} preparó una solicitud de retiro para {platform}</translation>
    </message>
    <message>
      <source>{who} marked the removal request to {platform} as sent</source>
      <translation>{who} marcó como enviada la solicitud de retiro para {platform}</translation>
    </message>
    <message>
      <source>{who} corrected when the removal request to {platform} was sent</source>
      <translation>{who} corrigió cuándo se envió la solicitud de retiro para {platform}</translation>
    </message>
    <message>
      <source>{who} signed off the letter of the removal request to {platform}</source>
      <translation>{who} dio el visto bueno a la carta de la solicitud de retirada a {platform}</translation>
    </message>
    <message>
      <source>{who} saved the removal letter to {platform}</source>
      <translation>{who} guardó la carta de retiro para {platform}</translation>
    </message>
    <message>
      <source>{who} recorded a document about the removal request to {platform}</source>
      <translation>{who} registró un documento sobre la solicitud de retiro para {platform}</translation>
    </message>
    <message>
      <source>{who} made a follow-up letter to {platform}</source>
      <translation>{who} hizo una carta de seguimiento para {platform}</translation>
    </message>
    <message>
      <source>{who} made an escalation letter about {platform}</source>
      <translation>{who} hizo una carta para escalar el caso de {platform}</translation>
    </message>
    <message>
      <source>The picture reported to {platform} is no longer online</source>
      <translation>La imagen denunciada a {platform} ya no está en línea</translation>
    </message>
    <message>
      <source>The picture reported to {platform} is back online</source>
      <translation>La imagen denunciada a {platform} volvió a estar en línea</translation>
    </message>
    <message>
      <source>{who} made the hand-out for the client</source>
      <translation>{who} hizo la hoja informativa para su cliente</translation>
    </message>
    <message>
      <source>{who} built the evidence packet ({exhibits})</source>
      <translation>{who} preparó el paquete de pruebas ({exhibits})</translation>
    </message>
    <message>
      <source>{who} set up the signing certificate for evidence packets ({subject})</source>
      <translation>{who} configuró el certificado de firma de los paquetes de pruebas ({subject})</translation>
    </message>
    <message>
      <source>{who} removed the signing certificate</source>
      <translation>{who} quitó el certificado de firma</translation>
    </message>
    <message>
      <source>{who} imported the fingerprint list {name} ({entries})</source>
      <translation>{who} importó la lista de huellas digitales {name} ({entries})</translation>
    </message>
    <message>
      <source>{who} exported this case's fingerprints ({entries})</source>
      <translation>{who} exportó las huellas digitales de este caso ({entries})</translation>
    </message>
    <message>
      <source>{who} changed the clinic details</source>
      <translation>{who} cambió los datos de la organización</translation>
    </message>
    <message>
      <source>{who} started importing a case from a hand-over file; its stored files are being written</source>
      <translation>{who} empezó a importar un caso desde un archivo de entrega; se están guardando sus archivos</translation>
    </message>
    <message>
      <source>The stored files of an unfinished case import were deleted ({files})</source>
      <translation>Se borraron los archivos guardados de una importación de caso que no terminó ({files})</translation>
    </message>
    <message>
      <source>The search tables of a hash list were rebuilt (they were missing, damaged or in an older format)</source>
      <translation>Se reconstruyeron las tablas de búsqueda de una lista de hashes (faltaban, estaban dañadas o tenían un formato anterior)</translation>
    </message>
    <message>
      <source>{who} measured the picture check '{model}' on {images} and kept the result</source>
      <translation>{who} midió la comprobación de imágenes '{model}' con {images} y guardó el resultado</translation>
    </message>
    <message>
      <source>{who} changed a setting ({setting})</source>
      <translation>{who} cambió una configuración ({setting})</translation>
    </message>
    <message>
      <source>{who} put a setting back to its default ({setting})</source>
      <translation>{who} devolvió una configuración a su valor predeterminado ({setting})</translation>
    </message>
    <message>
      <source>{who}: {what}</source>
      <translation>{who}: {what}</translation>
    </message>
    <message>
      <source>{n} problem</source>
      <translation>{n} problema</translation>
    </message>
    <message>
      <source>{n} problems</source>
      <translation>{n} problemas</translation>
    </message>
    <message>
      <source>{who} required a supervising attorney's sign-off before letters are sent</source>
      <translation>{who} exigió el visto bueno de un abogado supervisor antes de enviar cartas</translation>
    </message>
    <message>
      <source>{who} let letters be sent without a supervising attorney's sign-off</source>
      <translation>{who} permitió enviar cartas sin el visto bueno de un abogado supervisor</translation>
    </message>
    <message>
      <source>a picture on a hash list</source>
      <translation>una imagen de una lista de hashes</translation>
    </message>
    <message>
      <source>{n} remaining member</source>
      <translation>{n} miembro restante</translation>
    </message>
    <message>
      <source>{n} remaining members</source>
      <translation>{n} miembros restantes</translation>
    </message>
    <message>
      <source>{n} file</source>
      <translation>{n} archivo</translation>
    </message>
    <message>
      <source>{n} files</source>
      <translation>{n} archivos</translation>
    </message>
    <message>
      <source>{n} face</source>
      <translation>{n} cara</translation>
    </message>
    <message>
      <source>{n} faces</source>
      <translation>{n} caras</translation>
    </message>
    <message>
      <source>{n} exhibit</source>
      <translation>{n} prueba documental</translation>
    </message>
    <message>
      <source>{n} exhibits</source>
      <translation>{n} pruebas documentales</translation>
    </message>
    <message>
      <source>{n} entry</source>
      <translation>{n} entrada</translation>
    </message>
    <message>
      <source>{n} entries</source>
      <translation>{n} entradas</translation>
    </message>
    <message>
      <source>{n} labelled picture</source>
      <translation>{n} imagen etiquetada</translation>
    </message>
    <message>
      <source>{n} labelled pictures</source>
      <translation>{n} imágenes etiquetadas</translation>
    </message>
    <message>
      <source>not known</source>
      <translation>no se sabe</translation>
    </message>
    <message>
      <source>no reason given</source>
      <translation>sin motivo indicado</translation>
    </message>
    <message>
      <source>a web page</source>
      <translation>una página web</translation>
    </message>
    <message>
      <source>a captured page</source>
      <translation>una página capturada</translation>
    </message>
    <message>
      <source>a classifier</source>
      <translation>un clasificador</translation>
    </message>
  </context>
  <context>
    <name>Hardware</name>
    <message>
      <source>on the processor</source>
      <translation>en el procesador</translation>
    </message>
    <message>
      <source>on this computer's graphics card</source>
      <translation>en la tarjeta gráfica de esta computadora</translation>
    </message>
    <message>
      <source>{summary} The graphics card could not be used, so checks run on the processor (slower, same results). Details show why.</source>
      <translation>{summary} No se pudo usar la tarjeta gráfica, así que las comprobaciones se hacen en el procesador (más lento, mismos resultados). Los detalles muestran por qué.</translation>
    </message>
    <message>
      <source>Picture checks run {where}.</source>
      <translation>Las comprobaciones de imágenes se hacen {where}.</translation>
    </message>
    <message>
      <source>Picture checks run {first} and {second}.</source>
      <translation>Las comprobaciones de imágenes se hacen {first} y {second}.</translation>
    </message>
    <message>
      <source>No picture check has run yet. They will use this computer's graphics card if it works, else the processor.</source>
      <translation>Todavía no se ha hecho ninguna comprobación de imágenes. Se usará la tarjeta gráfica de esta computadora si funciona; si no, el procesador.</translation>
    </message>
    <message>
      <source>No picture check has run yet. They will run on the processor.</source>
      <translation>Todavía no se ha hecho ninguna comprobación de imágenes. Se harán en el procesador.</translation>
    </message>
  </context>
  <context>
    <name>Errors</name>
    <message>
      <source>If this keeps happening, note the time and contact your technical support.</source>
      <translation>Si esto sigue pasando, anote la hora y comuníquese con su soporte técnico.</translation>
    </message>
    <message>
      <source>Check the vault folder, or create a vault first with 'ncii-desk vault init'.</source>
      <translation>Revise la carpeta de la bóveda, o cree primero una bóveda con 'ncii-desk vault init'.</translation>
    </message>
    <message>
      <source>Choose an empty folder for the new vault, or open the existing one.</source>
      <translation>Elija una carpeta vacía para la nueva bóveda, o abra la que ya existe.</translation>
    </message>
    <message>
      <source>Check Caps Lock and the keyboard layout and try again. If the passphrase is lost, open the vault with the recovery key you wrote down when the vault was created.</source>
      <translation>Revise Bloq Mayús y la distribución del teclado e inténtelo de nuevo. Si perdió la frase de contraseña, abra la bóveda con la clave de recuperación que anotó al crearla.</translation>
    </message>
    <message>
      <source>Type the recovery key exactly as printed (groups of letters A-Z and digits 2-7; spaces and dashes do not matter).</source>
      <translation>Escriba la clave de recuperación tal como está impresa (grupos de letras A-Z y dígitos 2-7; los espacios y guiones no importan).</translation>
    </message>
    <message>
      <source>Choose a longer passphrase: a few unrelated words are strong and easy to remember.</source>
      <translation>Elija una frase de contraseña más larga: unas cuantas palabras sin relación entre sí son seguras y fáciles de recordar.</translation>
    </message>
    <message>
      <source>Do not write to this vault. Keep a copy of the whole vault folder as it is and restore from your latest backup; the report names what is damaged.</source>
      <translation>No escriba en esta bóveda. Guarde una copia de toda la carpeta de la bóveda tal como está y restáurela desde su copia de seguridad más reciente; el informe indica qué está dañado.</translation>
    </message>
    <message>
      <source>Unlock the vault with your passphrase, then try again.</source>
      <translation>Desbloquee la bóveda con su frase de contraseña y vuelva a intentarlo.</translation>
    </message>
    <message>
      <source>Close NCII Desk in the other window (or wait for the other command to finish), then try again.</source>
      <translation>Cierre NCII Desk en la otra ventana (o espere a que termine el otro comando) y vuelva a intentarlo.</translation>
    </message>
    <message>
      <source>Check the value you gave; 'ncii-desk COMMAND --help' lists the options.</source>
      <translation>Revise el valor que indicó; 'ncii-desk COMMAND --help' muestra las opciones.</translation>
    </message>
    <message>
      <source>This vault was written by a newer or unknown version of NCII Desk. Install the newest version; do not edit the vault by hand.</source>
      <translation>Esta bóveda la escribió una versión más nueva o desconocida de NCII Desk. Instale la versión más reciente; no edite la bóveda a mano.</translation>
    </message>
    <message>
      <source>List what exists with 'ncii-desk case list' or 'ncii-desk item list CASE'.</source>
      <translation>Vea lo que existe con 'ncii-desk case list' o 'ncii-desk item list CASE'.</translation>
    </message>
    <message>
      <source>Use the case id shown by 'ncii-desk case list' instead of its label.</source>
      <translation>Use el identificador del caso que muestra 'ncii-desk case list' en lugar de su nombre.</translation>
    </message>
    <message>
      <source>Check that the file exists, is readable and is not empty, then add it again.</source>
      <translation>Compruebe que el archivo existe, se puede leer y no está vacío, y vuelva a añadirlo.</translation>
    </message>
    <message>
      <source>The file may be damaged or only partly downloaded. Try to get the file again; the other files of the batch are not affected.</source>
      <translation>Puede que el archivo esté dañado o que solo se haya descargado en parte. Intente conseguir el archivo de nuevo; los demás archivos del lote no se ven afectados.</translation>
    </message>
    <message>
      <source>NCII Desk reads JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF and AVIF images and MP4, MOV, WebM, MKV and AVI videos. Convert the file to one of those, or keep it as a plain evidence item.</source>
      <translation>NCII Desk lee imágenes JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF y AVIF y videos MP4, MOV, WebM, MKV y AVI. Convierta el archivo a uno de esos formatos, o guárdelo como prueba sin procesar.</translation>
    </message>
    <message>
      <source>The file is larger than NCII Desk decodes safely. It is still stored and hashed (SHA-256, MD5); for a perceptual hash, make a smaller copy and add that too.</source>
      <translation>El archivo es más grande de lo que NCII Desk decodifica con seguridad. Aun así se guarda y se calculan sus huellas (SHA-256, MD5); para una huella perceptual, haga una copia más pequeña y añádala también.</translation>
    </message>
    <message>
      <source>Check the address and that this computer is online, then try again.</source>
      <translation>Revise la dirección y que esta computadora tenga conexión a internet, y vuelva a intentarlo.</translation>
    </message>
    <message>
      <source>Choose a folder you can write to, with enough free space.</source>
      <translation>Elija una carpeta en la que pueda escribir, con suficiente espacio libre.</translation>
    </message>
    <message>
      <source>Check the certificate file and its password, or remove the signing setting to build packets without a signature.</source>
      <translation>Revise el archivo del certificado y su contraseña, o quite la configuración de firma para preparar paquetes sin firma.</translation>
    </message>
    <message>
      <source>Check that this computer is online and the TSA address is right ('ncii-desk clinic tsa'), or build the packet without --timestamp: it is still signed by the vault's key.</source>
      <translation>Compruebe que esta computadora tiene conexión a internet y que la dirección de la TSA es correcta ('ncii-desk clinic tsa'), o prepare el paquete sin --timestamp: igual queda firmado con la clave de la bóveda.</translation>
    </message>
    <message>
      <source>This item was marked as possibly showing a person under 18, so only its hashes and details were recorded. Report the material to NCMEC's CyberTipline (or your national hotline) using the hashes.</source>
      <translation>Este elemento se marcó como que posiblemente muestra a una persona menor de 18 años, así que solo se registraron sus huellas (hashes) y sus datos. Denuncie el material a la CyberTipline del NCMEC (o a la línea de denuncia de su país) usando las huellas.</translation>
    </message>
    <message>
      <source>Nothing was lost: work finished before the problem is kept. Run 'ncii-desk vault check', and tell your technical support what you were doing (set NCII_DESK_DEBUG=1 to see the technical details).</source>
      <translation>No se perdió nada: se conserva el trabajo terminado antes del problema. Ejecute 'ncii-desk vault check' y cuéntele a su soporte técnico qué estaba haciendo (ponga NCII_DESK_DEBUG=1 para ver los detalles técnicos).</translation>
    </message>
    <message>
      <source>Nothing was lost: items finished before the cancel are kept.</source>
      <translation>No se perdió nada: se conservan los elementos terminados antes de cancelar.</translation>
    </message>
    <message>
      <source>The other files of the batch are not affected. Keep this file as it is and tell your technical support which file it was (set NCII_DESK_DEBUG=1 to see the details).</source>
      <translation>Los demás archivos del lote no se ven afectados. Deje este archivo tal como está y dígale a su soporte técnico qué archivo era (ponga NCII_DESK_DEBUG=1 para ver los detalles).</translation>
    </message>
    <message>
      <source>Ask the sender for a fresh copy of the file; nothing was imported.</source>
      <translation>Pida a quien lo envió una copia nueva del archivo; no se importó nada.</translation>
    </message>
    <message>
      <source>Install the optional part named in the message, then try again.</source>
      <translation>Instale la parte opcional que se nombra en el mensaje y vuelva a intentarlo.</translation>
    </message>
  </context>
  <context>
    <name>services.analysis.run</name>
    <message>
      <source>The frame interval must be more than 0 seconds, not {every_s}.</source>
      <translation>El intervalo entre cuadros debe ser mayor que 0 segundos, no {every_s}.</translation>
    </message>
    <message>
      <source>Use for example 1 (one frame per second) or 0.5.</source>
      <translation>Use por ejemplo 1 (un cuadro por segundo) o 0.5.</translation>
    </message>
  </context>
  <context>
    <name>services.analysis.steps</name>
    <message>
      <source>The stored file of item {id} is missing.</source>
      <translation>Falta el archivo guardado del elemento {id}.</translation>
    </message>
    <message>
      <source>The analysis was cancelled.</source>
      <translation>Se canceló el análisis.</translation>
    </message>
  </context>
  <context>
    <name>services.case_members</name>
    <message>
      <source>A laptop vault has one owner. Open the clinic store (--vault postgresql://...) with --member to manage who works on a case.</source>
      <translation>Una bóveda de portátil tiene un solo dueño. Abra el almacén de la clínica con 'ncii-desk --vault postgresql://... --member ID' para decidir quién trabaja en un caso.</translation>
    </message>
    <message>
      <source>List the clinic's members with 'ncii-desk clinic members'; a new member must be admitted ('ncii-desk clinic admit') before being added to a case.</source>
      <translation>Vea los miembros de la clínica con 'ncii-desk clinic members'; un miembro nuevo debe ser admitido ('ncii-desk clinic admit') antes de añadirlo a un caso.</translation>
    </message>
    <message>
      <source>This vault is not a clinic store, so its cases have no members.</source>
      <translation>Esta bóveda no es un almacén de clínica, así que sus casos no tienen miembros.</translation>
    </message>
    <message>
      <source>Member {member_id} {state}.</source>
      <translation>El miembro {member_id} {state}.</translation>
    </message>
    <message>
      <source>is not a member of this clinic</source>
      <translation>no es miembro de esta clínica</translation>
    </message>
    <message>
      <source>is not admitted</source>
      <translation>no ha sido admitido</translation>
    </message>
    <message>
      <source>was removed from the clinic</source>
      <translation>fue quitado de la clínica</translation>
    </message>
  </context>
  <context>
    <name>services.cases</name>
    <message>
      <source>A case needs a label.</source>
      <translation>Un caso necesita un nombre.</translation>
    </message>
    <message>
      <source>Give a short label such as 'Case 2026-014'.</source>
      <translation>Escriba un nombre corto, como 'Caso 2026-014'.</translation>
    </message>
    <message>
      <source>A case labelled '{label}' already exists.</source>
      <translation>Ya existe un caso con el nombre '{label}'.</translation>
    </message>
    <message>
      <source>Choose a different label, for example with a number or date added.</source>
      <translation>Elija otro nombre, por ejemplo agregando un número o una fecha.</translation>
    </message>
    <message>
      <source>{matches_count} cases match '{ref}'.</source>
      <translation>{matches_count} casos coinciden con '{ref}'.</translation>
    </message>
    <message>
      <source>No case matches '{ref}'.</source>
      <translation>Ningún caso coincide con '{ref}'.</translation>
    </message>
  </context>
  <context>
    <name>services.clinic</name>
    <message>
      <source>This works on a clinic's shared store, and a laptop vault is open.</source>
      <translation>Esto funciona en el almacén compartido de una clínica, y hay abierta una bóveda de portátil.</translation>
    </message>
    <message>
      <source>Give the clinic store's address with --vault postgresql://... (and --member).</source>
      <translation>Indique la dirección del almacén de la clínica con --vault postgresql://... (y --member).</translation>
    </message>
    <message>
      <source>Which member are you? No member id was given for the clinic store.</source>
      <translation>¿Qué miembro es usted? No se indicó ningún identificador de miembro para el almacén de la clínica.</translation>
    </message>
    <message>
      <source>Give it with --member ID (or set {MEMBER_ENV}); 'ncii-desk clinic join' made it.</source>
      <translation>Indíquelo con --member ID (o defina {MEMBER_ENV}); lo creó 'ncii-desk clinic join'.</translation>
    </message>
    <message>
      <source>NCII_DESK_MEMBER</source>
      <translation>NCII_DESK_MEMBER</translation>
    </message>
  </context>
  <context>
    <name>services.faces_gallery</name>
    <message>
      <source>Item {id} is a {value} item; faces can be picked only in reference or original photos.</source>
      <translation>El elemento {id} es de tipo {value}; las caras solo se pueden elegir en fotos de referencia u originales.</translation>
    </message>
    <message>
      <source>List the case's reference faces with {command}.</source>
      <translation>Vea las caras de referencia del caso con {command}.</translation>
    </message>
    <message>
      <source>Item {id} has no faces to pick: {message}</source>
      <translation>El elemento {id} no tiene caras para elegir: {message}</translation>
    </message>
    <message>
      <source>Add a clearer photo of the victim's face as a reference.</source>
      <translation>Añada como referencia una foto más clara de la cara de la persona.</translation>
    </message>
    <message>
      <source>This photo has no face number {face_index}; it has {faces_count} (numbered 1 to {faces_count}, largest first).</source>
      <translation>Esta foto no tiene la cara número {face_index}; tiene {faces_count} (numeradas del 1 al {faces_count}, de la más grande a la más pequeña).</translation>
    </message>
    <message>
      <source>See the faces and their boxes with {command}.</source>
      <translation>Vea las caras y sus recuadros con {command}.</translation>
    </message>
    <message>
      <source>Face {face_index} of item {id} is already picked.</source>
      <translation>La cara {face_index} del elemento {id} ya está elegida.</translation>
    </message>
    <message>
      <source>Nothing to do.</source>
      <translation>No hay nada que hacer.</translation>
    </message>
    <message>
      <source>No {which}item {id} is picked.</source>
      <translation>No hay nada elegido ({which}elemento {id}).</translation>
    </message>
    <message>
      <source>See what is picked with {command}.</source>
      <translation>Vea lo que está elegido con {command}.</translation>
    </message>
    <message>
      <source>face {face_index} of </source>
      <translation>cara {face_index} del </translation>
    </message>
    <message>
      <source>face of </source>
      <translation>cara del </translation>
    </message>
    <message>
      <source>{faces_count} face numbers were given for {count} reference photos.</source>
      <translation>Se indicaron {faces_count} números de cara para {count} fotos de referencia.</translation>
    </message>
    <message>
      <source>Give --face once (used for every photo with several faces) or once per --reference photo, in the same order.</source>
      <translation>Indique --face una vez (se usa para cada foto con varias caras) o una vez por cada foto --reference, en el mismo orden.</translation>
    </message>
    <message>
      <source>Choose one of the face embedders the model manifest lists.</source>
      <translation>Elija uno de los modelos de caras que indica el manifiesto de modelos.</translation>
    </message>
    <message>
      <source>The reference photo {path} shows {found_count} faces ({listing}); NCII Desk does not guess which one is the person.</source>
      <translation>La foto de referencia {path} muestra {found_count} caras ({listing}); NCII Desk no adivina cuál es la persona.</translation>
    </message>
    <message>
      <source>Say which face to use with --face N (1 = the largest), or crop the photo to the person's face.</source>
      <translation>Indique qué cara usar con --face N (1 = la más grande), o recorte la foto a la cara de la persona.</translation>
    </message>
    <message>
      <source>The reference photo {path} has no face number {number}; it shows {found_count} (numbered 1 to {found_count}, largest first).</source>
      <translation>La foto de referencia {path} no tiene la cara número {number}; muestra {found_count} (numeradas del 1 al {found_count}, de la más grande a la más pequeña).</translation>
    </message>
    <message>
      <source>Give a face number that exists with --face N.</source>
      <translation>Indique con --face N un número de cara que exista.</translation>
    </message>
    <message>
      <source>None of the reference photos shows a face that could be used.</source>
      <translation>Ninguna de las fotos de referencia muestra una cara que se pueda usar.</translation>
    </message>
    <message>
      <source>Give at least one clear, front-facing photo of the person with --reference.</source>
      <translation>Indique con --reference al menos una foto clara y de frente de la persona.</translation>
    </message>
    <message>
      <source>Only hashes of this file were kept; no faces.</source>
      <translation>De este archivo solo se guardaron sus huellas (hashes); no hay caras.</translation>
    </message>
    <message>
      <source>Only photos can hold reference faces.</source>
      <translation>Solo las fotos pueden tener caras de referencia.</translation>
    </message>
    <message>
      <source>No face was found in this photo.</source>
      <translation>No se encontró ninguna cara en esta foto.</translation>
    </message>
    <message>
      <source>One face was found.</source>
      <translation>Se encontró una cara.</translation>
    </message>
    <message>
      <source>{faces_count} faces were found; picked: face {chosen}.</source>
      <translation>Se encontraron {faces_count} caras; elegida: cara {chosen}.</translation>
    </message>
    <message>
      <source>{faces_count} faces were found; pick the victim's with 'ncii-desk faces pick'.</source>
      <translation>Se encontraron {faces_count} caras; elija la de su cliente con 'ncii-desk faces pick'.</translation>
    </message>
  </context>
  <context>
    <name>services.found_at</name>
    <message>
      <source>Copy the address from the browser's address bar; it starts with https:// (or http://). For a screenshot, give the address of the page.</source>
      <translation>Copie la dirección de la barra de direcciones del navegador; empieza con https:// (o http://). Para una captura de pantalla, indique la dirección de la página.</translation>
    </message>
    <message>
      <source>The {what} is empty.</source>
      <translation>La {what} está vacía.</translation>
    </message>
    <message>
      <source>The {what} is longer than {MAX_ADDRESS_CHARS} characters.</source>
      <translation>La {what} tiene más de {MAX_ADDRESS_CHARS} caracteres.</translation>
    </message>
    <message>
      <source>The {what} '{_shown}' has spaces or line breaks in it; a web address has none (perhaps two addresses or some text were pasted together).</source>
      <translation>La {what} '{_shown}' tiene espacios o saltos de línea; una dirección web no los tiene (quizás se pegaron juntas dos direcciones o algo de texto).</translation>
    </message>
    <message>
      <source>The {what} '{_shown}' is not a web address: it must start with https:// or http://.</source>
      <translation>La {what} '{_shown}' no es una dirección web: debe empezar con https:// o http://.</translation>
    </message>
    <message>
      <source>The {what} '{_shown}' is not a complete web address (the site's name or port cannot be read).</source>
      <translation>La {what} '{_shown}' no es una dirección web completa (no se puede leer el nombre del sitio o el puerto).</translation>
    </message>
    <message>
      <source>The {what} '{_shown}' is not a complete web address: the site's name is missing or not valid.</source>
      <translation>La {what} '{_shown}' no es una dirección web completa: falta el nombre del sitio o no es válido.</translation>
    </message>
    <message>
      <source>This item was captured from the web: its address was recorded by the capture ({_shown}) and cannot be changed.</source>
      <translation>Este elemento se capturó de la web: la captura registró su dirección ({_shown}) y no se puede cambiar.</translation>
    </message>
    <message>
      <source>Only files added by hand take an address. If the capture is of the wrong page, capture the right one.</source>
      <translation>Solo los archivos añadidos a mano llevan una dirección. Si la captura es de la página equivocada, capture la correcta.</translation>
    </message>
    <message>
      <source>file's own address</source>
      <translation>dirección propia del archivo</translation>
    </message>
    <message>
      <source>address of the page it was on</source>
      <translation>dirección de la página donde estaba</translation>
    </message>
  </context>
  <context>
    <name>services.handover.export</name>
    <message>
      <source>Choose one way to protect the file: a recipient's public key or a passphrase.</source>
      <translation>Elija una sola forma de proteger el archivo: la clave pública de quien lo recibe o una frase de contraseña.</translation>
    </message>
    <message>
      <source>Use --to RECIPIENT.pub, or --passphrase.</source>
      <translation>Use --to RECIPIENT.pub, o --passphrase.</translation>
    </message>
    <message>
      <source>{out} already exists; the export will not overwrite a file.</source>
      <translation>{out} ya existe; la exportación no sobrescribe un archivo.</translation>
    </message>
    <message>
      <source>The folder {parent} does not exist.</source>
      <translation>La carpeta {parent} no existe.</translation>
    </message>
  </context>
  <context>
    <name>services.handover.importing</name>
    <message>
      <source>A stored file changed while it was imported.</source>
      <translation>Un archivo guardado cambió mientras se importaba.</translation>
    </message>
    <message>
      <source>A stored file of this import is no longer in the store.</source>
      <translation>Un archivo guardado de esta importación ya no está en el almacén.</translation>
    </message>
    <message>
      <source>A case with this {what} is already in this vault (imported before, or the same case).</source>
      <translation>Ya hay en esta bóveda un caso con este {what} (importado antes, o el mismo caso).</translation>
    </message>
    <message>
      <source>Import it again with --as-copy to add it as a separate copy with new ids.</source>
      <translation>Vuelva a importarlo con --as-copy para añadirlo como copia aparte con identificadores nuevos.</translation>
    </message>
    <message>
      <source>id</source>
      <translation>identificador</translation>
    </message>
    <message>
      <source>label '{case_label}'</source>
      <translation>nombre '{case_label}'</translation>
    </message>
    <message>
      <source>The import was stopped before anything was written: the sender's fingerprint was not confirmed.</source>
      <translation>La importación se detuvo antes de escribir nada: no se confirmó la huella de quien lo envió.</translation>
    </message>
    <message>
      <source>Compare the fingerprint with the sender by phone, then import again.</source>
      <translation>Compare la huella con quien lo envió por teléfono y vuelva a importar.</translation>
    </message>
    <message>
      <source>The hand-over file changed while it was being imported; nothing was imported.</source>
      <translation>El archivo de traspaso cambió mientras se importaba; no se importó nada.</translation>
    </message>
    <message>
      <source>Make sure no other program writes the file, then import again.</source>
      <translation>Asegúrese de que ningún otro programa escriba en el archivo y vuelva a importar.</translation>
    </message>
    <message>
      <source>The hand-over file's records do not fit this vault (a record that is already here, or one that points to nothing); nothing was imported.</source>
      <translation>Los registros del archivo de traspaso no encajan en esta bóveda (un registro que ya está aquí, o uno que no apunta a nada); no se importó nada.</translation>
    </message>
    <message>
      <source>If the case was imported before, import it with --as-copy; otherwise ask the sender for a fresh export.</source>
      <translation>Si el caso se importó antes, impórtelo con --as-copy; si no, pida a quien lo envió una exportación nueva.</translation>
    </message>
  </context>
  <context>
    <name>services.handover.rows</name>
    <message>
      <source>The recipient key file {path} could not be read ({exc}).</source>
      <translation>No se pudo leer el archivo de clave de quien lo recibe {path} ({exc}).</translation>
    </message>
    <message>
      <source>Give the .pub file the recipient made with 'ncii-desk vault pubkey --out FILE'.</source>
      <translation>Indique el archivo .pub que hizo quien lo recibe con 'ncii-desk vault pubkey --out FILE'.</translation>
    </message>
    <message>
      <source>The hand-over file holds a record of an unknown kind.</source>
      <translation>El archivo de traspaso contiene un registro de un tipo desconocido.</translation>
    </message>
    <message>
      <source>The hand-over file holds a {name} record with a value of the wrong kind.</source>
      <translation>El archivo de traspaso contiene un registro {name} con un valor del tipo equivocado.</translation>
    </message>
    <message>
      <source>The hand-over file has columns this version does not know ({sorted}).</source>
      <translation>El archivo de traspaso tiene columnas que esta versión no conoce ({sorted}).</translation>
    </message>
    <message>
      <source>Update NCII Desk to the sender's version and import again.</source>
      <translation>Actualice NCII Desk a la versión de quien lo envió y vuelva a importar.</translation>
    </message>
  </context>
  <context>
    <name>services.handover.verify</name>
    <message>
      <source>The hand-over file {path} could not be opened: {strerror}.</source>
      <translation>No se pudo abrir el archivo de traspaso {path}: {strerror}.</translation>
    </message>
    <message>
      <source>Check the path of the .ncii file.</source>
      <translation>Revise la ruta del archivo .ncii.</translation>
    </message>
    <message>
      <source>A stored file in the hand-over file does not match its recorded digest.</source>
      <translation>Un archivo guardado en el archivo de traspaso no coincide con su huella registrada.</translation>
    </message>
    <message>
      <source>The hand-over file has no signed manifest (it is cut short).</source>
      <translation>El archivo de traspaso no tiene un manifiesto firmado (está incompleto).</translation>
    </message>
    <message>
      <source>The hand-over file's signature does not verify: the manifest was altered.</source>
      <translation>La firma del archivo de traspaso no es válida: el manifiesto fue alterado.</translation>
    </message>
    <message>
      <source>The hand-over file's content does not match its signed manifest (records were added, removed or changed).</source>
      <translation>El contenido del archivo de traspaso no coincide con su manifiesto firmado (se añadieron, quitaron o cambiaron registros).</translation>
    </message>
  </context>
  <context>
    <name>services.hashlists</name>
    <message>
      <source>{name} holds no valid hashes ({bad_lines} bad line(s)).</source>
      <translation>{name} no contiene huellas (hashes) válidas ({bad_lines} línea(s) incorrecta(s)).</translation>
    </message>
    <message>
      <source>Check that it is a 'pdq &lt;hex&gt;' list or a CSV with a kind,value header.</source>
      <translation>Compruebe que sea una lista 'pdq &lt;hex&gt;' o un CSV con el encabezado kind,value.</translation>
    </message>
    <message>
      <source>This list was already imported as '{name}'.</source>
      <translation>Esta lista ya se importó como '{name}'.</translation>
    </message>
    <message>
      <source>Nothing was added: the list imported earlier is still used for matching.</source>
      <translation>No se añadió nada: la lista importada antes se sigue usando para buscar coincidencias.</translation>
    </message>
    <message>
      <source>The import of '{list_name}' was cancelled.</source>
      <translation>Se canceló la importación de '{list_name}'.</translation>
    </message>
    <message>
      <source>Nothing was added: no hash of this list is in the vault. Import it again to use it.</source>
      <translation>No se añadió nada: ninguna huella de esta lista está en la bóveda. Vuelva a importarla para usarla.</translation>
    </message>
    <message>
      <source>Unknown export format '{fmt}'.</source>
      <translation>Formato de exportación desconocido: '{fmt}'.</translation>
    </message>
    <message>
      <source>Use pytx or csv.</source>
      <translation>Use pytx o csv.</translation>
    </message>
  </context>
  <context>
    <name>services.hashstore</name>
    <message>
      <source>No item has the id '{item_id}'.</source>
      <translation>Ningún elemento tiene el identificador '{item_id}'.</translation>
    </message>
  </context>
  <context>
    <name>services.inspection</name>
    <message>
      <source>{path} is a folder, not an image file.</source>
      <translation>{path} es una carpeta, no un archivo de imagen.</translation>
    </message>
    <message>
      <source>{path} is larger than NCII Desk reads as one image.</source>
      <translation>{path} es más grande de lo que NCII Desk lee como una sola imagen.</translation>
    </message>
    <message>
      <source>The file {path} does not exist.</source>
      <translation>El archivo {path} no existe.</translation>
    </message>
    <message>
      <source>The file {path} cannot be read: {strerror}.</source>
      <translation>El archivo {path} no se puede leer: {strerror}.</translation>
    </message>
    <message>
      <source>The heat-map could not be written to {target}: {strerror}.</source>
      <translation>No se pudo guardar el mapa de calor en {target}: {strerror}.</translation>
    </message>
    <message>
      <source>Choose a folder you can write to.</source>
      <translation>Elija una carpeta en la que pueda guardar archivos.</translation>
    </message>
    <message>
      <source>No heat-map was written: no original was found to explain the image.</source>
      <translation>No se creó un mapa de calor: no se encontró ningún original para explicar la imagen.</translation>
    </message>
  </context>
  <context>
    <name>services.intake</name>
    <message>
      <source>{path} is not a regular file.</source>
      <translation>{path} no es un archivo normal.</translation>
    </message>
    <message>
      <source>Add image or video files, or a folder of them.</source>
      <translation>Añada archivos de imagen o de video, o una carpeta con ellos.</translation>
    </message>
    <message>
      <source>The file {path} is empty (0 bytes).</source>
      <translation>El archivo {path} está vacío (0 bytes).</translation>
    </message>
    <message>
      <source>The file {path} is larger than {value} GiB.</source>
      <translation>El archivo {path} pesa más de {value} GiB.</translation>
    </message>
    <message>
      <source>Split or compress it before adding it.</source>
      <translation>Divídalo o comprímalo antes de añadirlo.</translation>
    </message>
    <message>
      <source>The file {path} cannot be opened: {strerror}.</source>
      <translation>El archivo {path} no se puede abrir: {strerror}.</translation>
    </message>
    <message>
      <source>The file {path} changed while it was being read.</source>
      <translation>El archivo {path} cambió mientras se leía.</translation>
    </message>
    <message>
      <source>Wait until it is fully copied or saved, then add it again.</source>
      <translation>Espere a que termine de copiarse o guardarse, y vuelva a añadirlo.</translation>
    </message>
    <message>
      <source>{path} is not an image or video (its content is {what}); it was not added.</source>
      <translation>{path} no es una imagen ni un video (su contenido es {what}); no se añadió.</translation>
    </message>
    <message>
      <source>Only pictures and videos are taken in as evidence. To keep this file with the case as a document, add it on its own: ncii-desk add ROLE CASE --as-document FILE</source>
      <translation>Solo se aceptan imágenes y videos como pruebas. Para guardar este archivo con el caso como documento, añádalo por separado: ncii-desk add ROLE CASE --as-document FILE</translation>
    </message>
    <message>
      <source>text</source>
      <translation>texto</translation>
    </message>
    <message>
      <source>data of an unknown kind</source>
      <translation>datos de un tipo desconocido</translation>
    </message>
    <message>
      <source>a PDF document</source>
      <translation>un documento PDF</translation>
    </message>
    <message>
      <source>a ZIP archive (or an office document)</source>
      <translation>un archivo ZIP (o un documento de oficina)</translation>
    </message>
    <message>
      <source>a sound file</source>
      <translation>un archivo de sonido</translation>
    </message>
    <message>
      <source>an icon</source>
      <translation>un ícono</translation>
    </message>
    <message>
      <source>Documents are added one file at a time, not as folders.</source>
      <translation>Los documentos se añaden de a un archivo, no como carpetas.</translation>
    </message>
    <message>
      <source>Name each document file; add folders of pictures and videos without --as-document.</source>
      <translation>Indique cada archivo de documento; añada las carpetas de imágenes y videos sin --as-document.</translation>
    </message>
  </context>
  <context>
    <name>services.items</name>
    <message>
      <source>This item's file was deliberately not kept, so it cannot be exported.</source>
      <translation>El archivo de este elemento no se guardó a propósito, así que no se puede exportar.</translation>
    </message>
    <message>
      <source>{target} already exists.</source>
      <translation>{target} ya existe.</translation>
    </message>
    <message>
      <source>Choose another name or folder, or allow overwriting.</source>
      <translation>Elija otro nombre u otra carpeta, o permita sobrescribir.</translation>
    </message>
    <message>
      <source>A reason is needed to keep an item as hashes only.</source>
      <translation>Hace falta un motivo para guardar un elemento solo como huellas (hashes).</translation>
    </message>
    <message>
      <source>Say briefly why, e.g. 'the person may be under 18'.</source>
      <translation>Diga brevemente por qué, por ejemplo 'la persona puede ser menor de 18 años'.</translation>
    </message>
    <message>
      <source>Who took the picture must be client, other or unknown, and whether the client holds the copyright yes, no or unknown.</source>
      <translation>Quién tomó la imagen debe ser client, other o unknown, y si su cliente tiene los derechos de autor, yes, no o unknown.</translation>
    </message>
    <message>
      <source>For example: --taken-by client --client-holds-copyright yes.</source>
      <translation>Por ejemplo: --taken-by client --client-holds-copyright yes.</translation>
    </message>
    <message>
      <source>Item {id} is a {value}, not an original: copyright is recorded only for the client's originals.</source>
      <translation>El elemento {id} es de tipo {value}, no un original: los derechos de autor solo se registran para los originales de su cliente.</translation>
    </message>
    <message>
      <source>List the case's originals with {command}.</source>
      <translation>Vea los originales del caso con {command}.</translation>
    </message>
    <message>
      <source>This item had no perceptual hashes yet, so only exact copies (same SHA-256 or MD5) can be found from now on.</source>
      <translation>Este elemento todavía no tenía huellas perceptuales, así que de ahora en adelante solo se pueden encontrar copias exactas (mismo SHA-256 o MD5).</translation>
    </message>
    <message>
      <source>{left_count} stored file(s) could not be deleted yet; they are deleted the next time the vault is opened.</source>
      <translation>{left_count} archivo(s) guardado(s) no se pudieron borrar todavía; se borrarán la próxima vez que se abra la bóveda.</translation>
    </message>
  </context>
  <context>
    <name>services.jobs</name>
    <message>
      <source>The task was cancelled.</source>
      <translation>Se canceló la tarea.</translation>
    </message>
  </context>
  <context>
    <name>services.lookup</name>
    <message>
      <source>{found_count} {what}s start with '{ref}'.</source>
      <translation>{found_count} {what}s empiezan con '{ref}'.</translation>
    </message>
    <message>
      <source>Type more characters of the {what} id.</source>
      <translation>Escriba más caracteres del identificador de {what}.</translation>
    </message>
  </context>
  <context>
    <name>services.matching</name>
    <message>
      <source>The stored file of {name} is missing.</source>
      <translation>Falta el archivo guardado de {name}.</translation>
    </message>
    <message>
      <source>{name} is too large to hash from the vault ({value} MiB; at most {value2} GiB).</source>
      <translation>{name} es demasiado grande para calcular su huella desde la bóveda ({value} MiB; como máximo {value2} GiB).</translation>
    </message>
    <message>
      <source>Export it and compare it by hand, or split the video.</source>
      <translation>Expórtelo y compárelo a mano, o divida el video.</translation>
    </message>
    <message>
      <source>This match is already {value}.</source>
      <translation>Esta coincidencia ya está {value}.</translation>
    </message>
  </context>
  <context>
    <name>services.minor</name>
    <message>
      <source>{n} item(s) in {others_count} other case(s) held the same file(s) and are now kept as hashes only too (recorded in those cases' activity).</source>
      <translation>{n} elemento(s) en {others_count} caso(s) más tenían el mismo archivo y ahora también se guardan solo como huellas (hashes) (queda registrado en la actividad de esos casos).</translation>
    </message>
    <message>
      <source>Copies made earlier outside the vault are not touched: {exports} exported file(s) or web archive(s) and {packets} evidence packet(s) of this case. Delete them from where they were saved.</source>
      <translation>Las copias hechas antes fuera de la bóveda no se tocan: {exports} archivo(s) exportado(s) o archivo(s) web y {packets} paquete(s) de pruebas de este caso. Bórrelas de donde se guardaron.</translation>
    </message>
    <message>
      <source>The case is marked as possibly showing a person under 18. {ONLY_HASHES} Deleted from the vault: {files_deleted} stored file(s) of {items_switched} item(s), {archives_removed} web archive(s), {face_references_removed} picked face(s) and {analyses_removed} record(s) of face data or picture keypoints; {hashes_kept} perceptual hash(es) kept for matching.</source>
      <translation>El caso está marcado como que posiblemente muestra a una persona menor de 18 años. {ONLY_HASHES} Se borró de la bóveda: {files_deleted} archivo(s) guardado(s) de {items_switched} elemento(s), {archives_removed} archivo(s) web, {face_references_removed} cara(s) elegida(s) y {analyses_removed} registro(s) de datos faciales o puntos clave de imágenes; se conservan {hashes_kept} huella(s) perceptual(es) para buscar coincidencias.</translation>
    </message>
    <message>
      <source>Only hashes are kept.</source>
      <translation>Solo se guardan sus huellas (hashes).</translation>
    </message>
    <message>
      <source>The case is no longer marked as possibly showing a person under 18; files added from now on are kept in the vault. Nothing is restored: {hash_only} item(s) recorded as hashes only stay that way.</source>
      <translation>El caso ya no está marcado como que posiblemente muestra a una persona menor de 18 años; los archivos que se añadan a partir de ahora se guardan en la bóveda. No se recupera nada: {hash_only} elemento(s) registrado(s) solo como huellas (hashes) siguen así.</translation>
    </message>
  </context>
  <context>
    <name>services.models</name>
    <message>
      <source>{folder} is not a folder.</source>
      <translation>{folder} no es una carpeta.</translation>
    </message>
    <message>
      <source>Give the folder that holds the model files (for example the unpacked models archive your clinic provides, or ../shared/models).</source>
      <translation>Indique la carpeta que contiene los archivos de modelos (por ejemplo el archivo de modelos descomprimido que le da su organización, o ../shared/models).</translation>
    </message>
    <message>
      <source>None of the model files the manifest lists was found in {folder}.</source>
      <translation>No se encontró en {folder} ninguno de los archivos de modelos que indica el manifiesto.</translation>
    </message>
    <message>
      <source>Give the folder that holds them: the files are named in 'ncii-desk models list --json' (file), e.g. face_api_dlib_resnet/face_recognition_dlib_resnet_128d.onnx.</source>
      <translation>Indique la carpeta que los contiene: los archivos se nombran en 'ncii-desk models list --json' (file), por ejemplo face_api_dlib_resnet/face_recognition_dlib_resnet_128d.onnx.</translation>
    </message>
  </context>
  <context>
    <name>services.packets</name>
    <message>
      <source>Create it first, or give a packet folder inside an existing folder.</source>
      <translation>Créela primero, o indique una carpeta de paquete dentro de una carpeta que exista.</translation>
    </message>
    <message>
      <source>{out} already exists and is not an empty folder; a packet is always built in a fresh folder.</source>
      <translation>{out} ya existe y no es una carpeta vacía; un paquete siempre se prepara en una carpeta nueva.</translation>
    </message>
    <message>
      <source>Give the name of a new folder (it is created), or empty this one first.</source>
      <translation>Indique el nombre de una carpeta nueva (se crea), o vacíe esta primero.</translation>
    </message>
    <message>
      <source>{zip_path} already exists; the packet's ZIP will not overwrite it.</source>
      <translation>{zip_path} ya existe; el ZIP del paquete no lo sobrescribe.</translation>
    </message>
    <message>
      <source>Give a different packet folder name, or move the old ZIP away.</source>
      <translation>Indique otro nombre de carpeta para el paquete, o mueva el ZIP anterior a otro lugar.</translation>
    </message>
    <message>
      <source>The clinic certificate for signing packets is missing from the vault.</source>
      <translation>Falta en la bóveda el certificado de la organización para firmar paquetes.</translation>
    </message>
    <message>
      <source>'{strip}' is not a note of this case's packet (more than one matches).</source>
      <translation>'{strip}' no es una nota del paquete de este caso (coincide más de una).</translation>
    </message>
    <message>
      <source>'{strip}' is not a note of this case's packet.</source>
      <translation>'{strip}' no es una nota del paquete de este caso.</translation>
    </message>
    <message>
      <source>Notes that can be included: {known}. Use 'case' for the case's own note, or an exhibit's item id.</source>
      <translation>Notas que se pueden incluir: {known}. Use 'case' para la nota del propio caso, o el identificador de elemento de una prueba documental.</translation>
    </message>
    <message>
      <source>No time-stamp authority is set, so the packet cannot be time-stamped.</source>
      <translation>No hay una autoridad de sellado de tiempo configurada, así que el paquete no puede llevar sello de tiempo.</translation>
    </message>
    <message>
      <source>Give one with --tsa URL, or store one with 'ncii-desk clinic tsa URL' (docs/documents.md names an example); or build without --timestamp.</source>
      <translation>Indique una con --tsa URL, o guarde una con 'ncii-desk clinic tsa URL' (docs/documents.md da un ejemplo); o prepárelo sin --timestamp.</translation>
    </message>
    <message>
      <source>A time-stamp authority was given without asking for a time stamp.</source>
      <translation>Se indicó una autoridad de sellado de tiempo sin pedir un sello de tiempo.</translation>
    </message>
    <message>
      <source>Add --timestamp to have the packet time-stamped, or leave out --tsa.</source>
      <translation>Añada --timestamp para que el paquete lleve sello de tiempo, o quite --tsa.</translation>
    </message>
    <message>
      <source>The time stamp from {tsa_url} does not hold: {problems}.</source>
      <translation>El sello de tiempo de {tsa_url} no es válido: {problems}.</translation>
    </message>
    <message>
      <source>Ask the authority's operator, use another authority (--tsa URL), or build without --timestamp.</source>
      <translation>Consulte a quien opera la autoridad, use otra autoridad (--tsa URL), o prepare el paquete sin --timestamp.</translation>
    </message>
    <message>
      <source>The trusted roots file {tsa_roots} cannot be read as certificates ({exc}).</source>
      <translation>El archivo de raíces de confianza {tsa_roots} no se puede leer como certificados ({exc}).</translation>
    </message>
    <message>
      <source>Give a PEM file of root certificates (the TSA's published root).</source>
      <translation>Indique un archivo PEM de certificados raíz (la raíz que publica la TSA).</translation>
    </message>
    <message>
      <source>'{expect_key}' is not a key fingerprint.</source>
      <translation>'{expect_key}' no es una huella de clave.</translation>
    </message>
    <message>
      <source>A fingerprint is 32 letters and digits in groups of four, as in SIGNING-KEY.txt.</source>
      <translation>Una huella son 32 letras y dígitos en grupos de cuatro, como en SIGNING-KEY.txt.</translation>
    </message>
    <message>
      <source>No sealed volume was made: {MINOR_REFUSAL}</source>
      <translation>No se hizo un volumen sellado: {MINOR_REFUSAL}</translation>
    </message>
    <message>
      <source>the case is marked as possibly involving a person under 18, so the packet never holds images: no thumbnails and no sealed volume. Report to NCMEC (CyberTipline, Take It Down) with the hashes and addresses instead.</source>
      <translation>el caso está marcado como posiblemente sobre una persona menor de 18 años, así que el paquete nunca contiene imágenes: ni miniaturas ni volumen sellado. En su lugar, denuncie al NCMEC (CyberTipline, Take It Down) con las huellas (hashes) y las direcciones.</translation>
    </message>
    <message>
      <source>No sealed volume was made: no exhibit of this case has a stored file.</source>
      <translation>No se hizo un volumen sellado: ninguna prueba documental de este caso tiene un archivo guardado.</translation>
    </message>
    <message>
      <source>cannot be compared with the vault: no readable manifest</source>
      <translation>no se puede comparar con la bóveda: no hay un manifiesto legible</translation>
    </message>
    <message>
      <source>signed by a different key: {signer} (this vault's key is {own})</source>
      <translation>firmado con otra clave: {signer} (la clave de esta bóveda es {own})</translation>
    </message>
    <message>
      <source>the packet comes from vault {vault_id}, not from this vault ({vault_id2})</source>
      <translation>el paquete viene de la bóveda {vault_id}, no de esta bóveda ({vault_id2})</translation>
    </message>
    <message>
      <source>records no audit-chain head</source>
      <translation>no registra el final de la cadena de auditoría</translation>
    </message>
    <message>
      <source>its audit-chain head (event {seq}) is not in the vault: events were removed or the vault was rolled back to an older copy</source>
      <translation>el final de su cadena de auditoría (evento {seq}) no está en la bóveda: se quitaron eventos o se volvió a una copia más antigua de la bóveda</translation>
    </message>
    <message>
      <source>the vault's audit event {seq} has a different MAC than the packet records: the vault's audit trail was rewritten</source>
      <translation>el evento de auditoría {seq} de la bóveda tiene un MAC distinto del que registra el paquete: el registro de auditoría de la bóveda se reescribió</translation>
    </message>
    <message>
      <source>the vault has no record of building a packet with this manifest (SHA-256 {manifest_sha256})</source>
      <translation>la bóveda no tiene registro de haber creado un paquete con este manifiesto (SHA-256 {manifest_sha256})</translation>
    </message>
    <message>
      <source> at event {seq}</source>
      <translation> en el evento {seq}</translation>
    </message>
    <message>
      <source>vault audit chain</source>
      <translation>cadena de auditoría de la bóveda</translation>
    </message>
  </context>
  <context>
    <name>services.requests.clinic</name>
    <message>
      <source>Unknown clinic detail: {sorted}.</source>
      <translation>Dato de la organización desconocido: {sorted}.</translation>
    </message>
  </context>
  <context>
    <name>services.requests.depictions</name>
    <message>
      <source>Add --again to draft a new request anyway (for example when the platform lost the first one). Once a TAKE IT DOWN request's 48 hours have passed, follow it up with 'ncii-desk requests followup REQ'.</source>
      <translation>Añada --again para preparar una solicitud nueva de todas formas (por ejemplo, si la plataforma perdió la primera). Cuando hayan pasado las 48 horas de una solicitud TAKE IT DOWN, haga el seguimiento con 'ncii-desk requests followup REQ'.</translation>
    </message>
    <message>
      <source>The item '{strip}' belongs to another case.</source>
      <translation>El elemento '{strip}' pertenece a otro caso.</translation>
    </message>
    <message>
      <source>List this case's items with 'ncii-desk item list CASE'.</source>
      <translation>Vea los elementos de este caso con 'ncii-desk item list CASE'.</translation>
    </message>
    <message>
      <source>Nothing new to request: an open '{route}' request already lists every picture found. {named}.</source>
      <translation>No hay nada nuevo que pedir: una solicitud '{route}' abierta ya incluye cada imagen encontrada. {named}.</translation>
    </message>
  </context>
  <context>
    <name>services.requests.documents</name>
    <message>
      <source>This request has no stored documents.</source>
      <translation>Esta solicitud no tiene documentos guardados.</translation>
    </message>
    <message>
      <source>{clashes_count} file(s) already exist in the folder, for example {clashes}.</source>
      <translation>Ya existe(n) {clashes_count} archivo(s) en la carpeta, por ejemplo {clashes}.</translation>
    </message>
    <message>
      <source>Choose another folder, or add --overwrite.</source>
      <translation>Elija otra carpeta, o añada --overwrite.</translation>
    </message>
  </context>
  <context>
    <name>services.requests.drafting</name>
    <message>
      <source>'{route}' is not a request type.</source>
      <translation>'{route}' no es un tipo de solicitud.</translation>
    </message>
    <message>
      <source>Use one of: {ROUTE_TEMPLATES}.</source>
      <translation>Use uno de estos: {ROUTE_TEMPLATES}.</translation>
    </message>
    <message>
      <source>No platform in this case takes a '{route}' request.</source>
      <translation>Ninguna plataforma de este caso acepta una solicitud '{route}'.</translation>
    </message>
    <message>
      <source>This kind of request applies to: {where}.</source>
      <translation>Este tipo de solicitud se aplica a: {where}.</translation>
    </message>
    <message>
      <source>No picture of this case can go in a DMCA notice: a DMCA notice may list only copies matched (by their pixels, confirmed by a reviewer) to an original the client owns. Left out: {named}.{marks}</source>
      <translation>Ninguna imagen de este caso puede ir en un aviso DMCA: un aviso DMCA solo puede incluir copias que coinciden (por sus píxeles, confirmadas por una persona revisora) con un original cuyos derechos de autor son de su cliente. Quedan fuera: {named}.{marks}</translation>
    </message>
    <message>
      <source>Pictures left out of a DMCA notice can still be asked for under the TAKE IT DOWN Act ('ncii-desk requests draft CASE --route takedown'), which needs no copyright. Mark who took each original with 'ncii-desk item copyright ITEM --taken-by client|other|unknown --client-holds-copyright yes|no|unknown', and confirm matches with 'ncii-desk matches review'.</source>
      <translation>Las imágenes que quedan fuera de un aviso DMCA se pueden pedir igual con la Ley TAKE IT DOWN ('ncii-desk requests draft CASE --route takedown'), que no requiere derechos de autor. Marque quién tomó cada original con 'ncii-desk item copyright ITEM --taken-by client|other|unknown --client-holds-copyright yes|no|unknown', y confirme las coincidencias con 'ncii-desk matches review'.</translation>
    </message>
    <message>
      <source> {unmarked_count} original(s) are not marked yet: the old one-tick '--copyright-owner' for the whole case is not taken as a claim for each original; mark each original first.</source>
      <translation> {unmarked_count} original(es) todavía no están marcados: la antigua casilla única '--copyright-owner' para todo el caso no se toma como reclamo para cada original; marque primero cada original.</translation>
    </message>
  </context>
  <context>
    <name>services.requests.followup</name>
    <message>
      <source>Unknown follow-up document '{kind}'.</source>
      <translation>Documento de seguimiento desconocido: '{kind}'.</translation>
    </message>
    <message>
      <source>A follow-up is for a TAKE IT DOWN request whose 48-hour deadline has passed without removal.</source>
      <translation>Un seguimiento es para una solicitud TAKE IT DOWN cuyo plazo de 48 horas venció sin que se retirara el contenido.</translation>
    </message>
    <message>
      <source>This request is {state}, deadline {deadline_at}.</source>
      <translation>Esta solicitud está en estado {state}, con plazo {deadline_at}.</translation>
    </message>
    <message>
      <source>This request is {state}.</source>
      <translation>Esta solicitud está en estado {state}.</translation>
    </message>
    <message>
      <source>The request's addresses span several platforms.</source>
      <translation>Las direcciones de la solicitud abarcan varias plataformas.</translation>
    </message>
  </context>
  <context>
    <name>services.requests.records</name>
    <message>
      <source>List a case's requests with 'ncii-desk requests CASE'.</source>
      <translation>Vea las solicitudes de un caso con 'ncii-desk requests CASE'.</translation>
    </message>
    <message>
      <source>See the request's history with 'ncii-desk requests show REQ'.</source>
      <translation>Vea el historial de la solicitud con 'ncii-desk requests show REQ'.</translation>
    </message>
  </context>
  <context>
    <name>services.requests.tracker</name>
    <message>
      <source>The time sent needs a time zone.</source>
      <translation>La hora de envío necesita una zona horaria.</translation>
    </message>
    <message>
      <source>For example 2026-05-20T14:30Z or --zone.</source>
      <translation>Por ejemplo 2026-05-20T14:30Z o --zone.</translation>
    </message>
    <message>
      <source>The time sent ({local_and_utc}) is in the future: this computer's clock says {local_and_utc2}.</source>
      <translation>La hora de envío ({local_and_utc}) está en el futuro: el reloj de esta computadora marca {local_and_utc2}.</translation>
    </message>
    <message>
      <source>Give the time it was sent (up to {CLOCK_SKEW_MINUTES} minutes ahead is accepted for clock differences), or check this computer's clock.</source>
      <translation>Indique la hora en que se envió (se aceptan hasta {CLOCK_SKEW_MINUTES} minutos de adelanto por diferencias de reloj), o revise el reloj de esta computadora.</translation>
    </message>
    <message>
      <source>The time sent ({local_and_utc}) is before the request was drafted ({local_and_utc2}).</source>
      <translation>La hora de envío ({local_and_utc}) es anterior a cuando se preparó la solicitud ({local_and_utc2}).</translation>
    </message>
    <message>
      <source>Give the time the letter was actually sent; a request cannot be sent before it was written.</source>
      <translation>Indique la hora en que realmente se envió la carta; una solicitud no se puede enviar antes de escribirse.</translation>
    </message>
    <message>
      <source>This request was already marked as sent ({local_and_utc}).</source>
      <translation>Esta solicitud ya se marcó como enviada ({local_and_utc}).</translation>
    </message>
    <message>
      <source>To change the time sent, correct it with a reason: 'ncii-desk requests sent REQ --correct --at TIME --reason TEXT'.</source>
      <translation>Para cambiar la hora de envío, corríjala con un motivo: 'ncii-desk requests sent REQ --correct --at TIME --reason TEXT'.</translation>
    </message>
    <message>
      <source>This request was already marked as sent ({iso}).</source>
      <translation>Esta solicitud ya se marcó como enviada ({iso}).</translation>
    </message>
    <message>
      <source>A correction of the time sent needs a reason.</source>
      <translation>Una corrección de la hora de envío necesita un motivo.</translation>
    </message>
    <message>
      <source>Say why with --reason, e.g. 'the e-mail was sent at 14:05, not 15:05'.</source>
      <translation>Diga por qué con --reason, por ejemplo 'el correo se envió a las 14:05, no a las 15:05'.</translation>
    </message>
    <message>
      <source>This request has not been marked as sent, so there is no time to correct.</source>
      <translation>Esta solicitud no se ha marcado como enviada, así que no hay hora que corregir.</translation>
    </message>
    <message>
      <source>Mark it as sent with 'ncii-desk requests sent REQ --at TIME'.</source>
      <translation>Márquela como enviada con 'ncii-desk requests sent REQ --at TIME'.</translation>
    </message>
    <message>
      <source>This request has not been marked as sent.</source>
      <translation>Esta solicitud no se ha marcado como enviada.</translation>
    </message>
    <message>
      <source>The platform's reference number is empty.</source>
      <translation>El número de referencia de la plataforma está vacío.</translation>
    </message>
    <message>
      <source>'{status}' cannot be set by hand.</source>
      <translation>'{status}' no se puede poner a mano.</translation>
    </message>
    <message>
      <source>Use one of: {names}. 'sent' is set with 'requests sent'; overdue is automatic.</source>
      <translation>Use uno de estos: {names}. 'sent' se pone con 'requests sent'; el vencimiento (overdue) es automático.</translation>
    </message>
    <message>
      <source>This request is still a draft.</source>
      <translation>Esta solicitud todavía es un borrador.</translation>
    </message>
    <message>
      <source>Mark it as sent first with 'ncii-desk requests sent REQ'.</source>
      <translation>Márquela primero como enviada con 'ncii-desk requests sent REQ'.</translation>
    </message>
  </context>
  <context>
    <name>services.reveal</name>
    <message>
      <source>Item {item_id} no longer exists.</source>
      <translation>El elemento {item_id} ya no existe.</translation>
    </message>
    <message>
      <source>Refresh the case; the item was deleted meanwhile.</source>
      <translation>Actualice el caso; el elemento se eliminó mientras tanto.</translation>
    </message>
    <message>
      <source>This photo is not a reference photo of the case.</source>
      <translation>Esta foto no es una foto de referencia del caso.</translation>
    </message>
    <message>
      <source>Add it as a reference photo of the case first.</source>
      <translation>Primero agréguela como foto de referencia del caso.</translation>
    </message>
  </context>
  <context>
    <name>services.scan</name>
    <message>
      <source>{exc}.</source>
      <translation>{exc}.</translation>
    </message>
    <message>
      <source>The hash list {path} cannot be read: {strerror}.</source>
      <translation>La lista de hashes {path} no se puede leer: {strerror}.</translation>
    </message>
    <message>
      <source>Scanning on a Ray cluster needs the package 'ray', which is not installed.</source>
      <translation>Buscar en un clúster de Ray necesita el paquete 'ray', que no está instalado.</translation>
    </message>
    <message>
      <source>Install the cluster extra: pip install 'ncii-desk[cluster]' (on every machine of the cluster), or scan without --ray.</source>
      <translation>Instale el extra de clúster: pip install 'ncii-desk[cluster]' (en cada máquina del clúster), o busque sin --ray.</translation>
    </message>
    <message>
      <source>A batch must hold at least one file.</source>
      <translation>Un lote debe tener al menos un archivo.</translation>
    </message>
    <message>
      <source>Could not start or join the Ray cluster at {where}: {value}.</source>
      <translation>No se pudo iniciar ni unirse al clúster de Ray en {where}: {value}.</translation>
    </message>
    <message>
      <source>Start the cluster first ('ray start --head' on one machine, 'ray start --address HEAD:6379' on the others) and give its address, or use --ray auto on a machine of the cluster.</source>
      <translation>Inicie primero el clúster ('ray start --head' en una máquina, 'ray start --address HEAD:6379' en las demás) e indique su dirección, o use --ray auto en una máquina del clúster.</translation>
    </message>
    <message>
      <source>{path} already exists; the scan will not overwrite it.</source>
      <translation>{path} ya existe; la búsqueda no lo sobrescribe.</translation>
    </message>
    <message>
      <source>Add --resume to go on with the scan that file holds, or give a new file name.</source>
      <translation>Añada --resume para continuar la búsqueda que guarda ese archivo, o indique un nombre de archivo nuevo.</translation>
    </message>
    <message>
      <source>{path} line {number} is not a scan result; it cannot be resumed.</source>
      <translation>La línea {number} de {path} no es un resultado de búsqueda; no se puede continuar.</translation>
    </message>
    <message>
      <source>Give the results file of an earlier 'ncii-desk scan --jsonl', or a new file name.</source>
      <translation>Indique el archivo de resultados de un 'ncii-desk scan --jsonl' anterior, o un nombre de archivo nuevo.</translation>
    </message>
    <message>
      <source>{path} is not a results file of 'ncii-desk scan'.</source>
      <translation>{path} no es un archivo de resultados de 'ncii-desk scan'.</translation>
    </message>
    <message>
      <source>Give the results file of an earlier scan, or a new file name.</source>
      <translation>Indique el archivo de resultados de una búsqueda anterior, o un nombre de archivo nuevo.</translation>
    </message>
    <message>
      <source>{path} holds a scan against other hash lists or another PDQ threshold; its rows cannot be mixed with this scan's.</source>
      <translation>{path} contiene una búsqueda con otras listas de hashes u otro umbral PDQ; sus filas no se pueden mezclar con las de esta búsqueda.</translation>
    </message>
    <message>
      <source>Resume with the same --against lists and --pdq-threshold, or give a new file name.</source>
      <translation>Continúe con las mismas listas --against y el mismo --pdq-threshold, o indique un nombre de archivo nuevo.</translation>
    </message>
    <message>
      <source>{path} has no header line; it is not a results file of 'ncii-desk scan'.</source>
      <translation>{path} no tiene línea de encabezado; no es un archivo de resultados de 'ncii-desk scan'.</translation>
    </message>
    <message>
      <source>Give a new file name.</source>
      <translation>Indique un nombre de archivo nuevo.</translation>
    </message>
  </context>
  <context>
    <name>services.screenshots</name>
    <message>
      <source>No screenshots are made for a case that may show a person under 18.</source>
      <translation>No se hacen capturas de pantalla en un caso que puede mostrar a una persona menor de 18 años.</translation>
    </message>
    <message>
      <source>Only hashes and addresses are kept for such a case.</source>
      <translation>En un caso así solo se guardan las huellas (hashes) y las direcciones.</translation>
    </message>
  </context>
  <context>
    <name>services.selftest</name>
    <message>
      <source>Reinstall NCII Desk; if the problem stays, send this report to support.</source>
      <translation>Reinstale NCII Desk; si el problema sigue, envíe este informe a soporte.</translation>
    </message>
    <message>
      <source>The application icon {name} is missing from assets/.</source>
      <translation>Falta el ícono de la aplicación {name} en assets/.</translation>
    </message>
    <message>
      <source>The vault database opened without SQLCipher encryption.</source>
      <translation>La base de datos de la bóveda se abrió sin el cifrado de SQLCipher.</translation>
    </message>
    <message>
      <source>The vault database was written unencrypted.</source>
      <translation>La base de datos de la bóveda se escribió sin cifrar.</translation>
    </message>
    <message>
      <source>A stored blob read back with different bytes.</source>
      <translation>Un blob guardado se leyó con bytes distintos.</translation>
    </message>
    <message>
      <source>The vault check found problems: {problems}</source>
      <translation>La comprobación de la bóveda encontró problemas: {problems}</translation>
    </message>
    <message>
      <source>A {fmt} test picture decoded at the wrong size.</source>
      <translation>Una imagen de prueba {fmt} se decodificó con un tamaño equivocado.</translation>
    </message>
    <message>
      <source>The PDQ hash of a lossless picture changed after decoding.</source>
      <translation>La huella PDQ de una imagen sin pérdida cambió después de decodificarla.</translation>
    </message>
    <message>
      <source>Lossy copies of a picture differ by {far} PDQ bits (at most 31).</source>
      <translation>Las copias con pérdida de una imagen difieren en {far} bits PDQ (como máximo 31).</translation>
    </message>
    <message>
      <source>No frame could be decoded from a generated video.</source>
      <translation>No se pudo decodificar ningún cuadro de un video generado.</translation>
    </message>
    <message>
      <source>Generated pictures could not be hashed: {failed}</source>
      <translation>No se pudieron calcular las huellas de las imágenes generadas: {failed}</translation>
    </message>
    <message>
      <source>The worker processes returned {pooled_count} of 3 results.</source>
      <translation>Los procesos de trabajo devolvieron {pooled_count} de 3 resultados.</translation>
    </message>
    <message>
      <source>Worker processes computed other hashes than this process.</source>
      <translation>Los procesos de trabajo calcularon huellas distintas de las de este proceso.</translation>
    </message>
    <message>
      <source>The model '{name}' has other outputs than the manifest says.</source>
      <translation>El modelo '{name}' tiene salidas distintas de las que indica el manifiesto.</translation>
    </message>
    <message>
      <source>The model '{name}' gave no usable '{name2}' output.</source>
      <translation>El modelo '{name}' no dio una salida '{name2}' utilizable.</translation>
    </message>
    <message>
      <source>The MesoNet graph for '{name}' is inconsistent.</source>
      <translation>El grafo de MesoNet de '{name}' no es coherente.</translation>
    </message>
    <message>
      <source>No model could be run.</source>
      <translation>No se pudo ejecutar ningún modelo.</translation>
    </message>
    <message>
      <source>reportlab produced a file that does not start with %PDF.</source>
      <translation>reportlab produjo un archivo que no empieza con %PDF.</translation>
    </message>
    <message>
      <source>The test PDF has {pages} pages instead of 1.</source>
      <translation>El PDF de prueba tiene {pages} páginas en lugar de 1.</translation>
    </message>
    <message>
      <source>The test PDF does not read back with its title.</source>
      <translation>El PDF de prueba no se lee con su título.</translation>
    </message>
    <message>
      <source>A DOCX written from the default template did not read back.</source>
      <translation>Un DOCX escrito con la plantilla predeterminada no se pudo volver a leer.</translation>
    </message>
    <message>
      <source>The certificate bundle (certifi) is missing.</source>
      <translation>Falta el paquete de certificados (certifi).</translation>
    </message>
    <message>
      <source>OpenCV could not encode a picture.</source>
      <translation>OpenCV no pudo codificar una imagen.</translation>
    </message>
    <message>
      <source>The Qt check was not given to this self-test run: it comes with the desktop app.</source>
      <translation>Esta autoprueba no recibió la comprobación de Qt: viene con la aplicación de escritorio.</translation>
    </message>
    <message>
      <source>Run it with the ncii-desk program: ncii-desk selftest --qt</source>
      <translation>Ejecútela con el programa ncii-desk: ncii-desk selftest --qt</translation>
    </message>
  </context>
  <context>
    <name>services.settings</name>
    <message>
      <source>There is no threshold called '{name}'.</source>
      <translation>No hay ningún umbral llamado '{name}'.</translation>
    </message>
    <message>
      <source>The thresholds are: {value}.</source>
      <translation>Los umbrales son: {value}.</translation>
    </message>
    <message>
      <source>'{value}' is not a number.</source>
      <translation>'{value}' no es un número.</translation>
    </message>
    <message>
      <source>Give {_allowed}.</source>
      <translation>Indique {_allowed}.</translation>
    </message>
    <message>
      <source>a number from {FACE_RANGE} to {FACE_RANGE2}</source>
      <translation>un número de {FACE_RANGE} a {FACE_RANGE2}</translation>
    </message>
    <message>
      <source>a whole number from {PDQ_RANGE} to {PDQ_RANGE2}</source>
      <translation>un número entero de {PDQ_RANGE} a {PDQ_RANGE2}</translation>
    </message>
    <message>
      <source>{value} is not a number.</source>
      <translation>{value} no es un número.</translation>
    </message>
    <message>
      <source>{value} is not a valid PDQ distance.</source>
      <translation>{value} no es una distancia PDQ válida.</translation>
    </message>
    <message>
      <source>{value} is not a valid face similarity threshold.</source>
      <translation>{value} no es un umbral de parecido de caras válido.</translation>
    </message>
    <message>
      <source>'{text}' is not the address of a time-stamp authority.</source>
      <translation>'{text}' no es la dirección de una autoridad de sellado de tiempo.</translation>
    </message>
    <message>
      <source>Give its full http:// or https:// address, as the authority publishes it.</source>
      <translation>Indique su dirección completa http:// o https://, tal como la publica la autoridad.</translation>
    </message>
    <message>
      <source>'{value}' is not true or false.</source>
      <translation>'{value}' no es true ni false.</translation>
    </message>
    <message>
      <source>Give true or false for {ALLOW_PRIVATE_NAME}.</source>
      <translation>Indique true o false para {ALLOW_PRIVATE_NAME}.</translation>
    </message>
    <message>
      <source>capture.allow_private_addresses</source>
      <translation>capture.allow_private_addresses</translation>
    </message>
    <message>
      <source>Give {allowed}.</source>
      <translation>Indique {allowed}.</translation>
    </message>
    <message>
      <source>a whole number of hours from {low} to {high}</source>
      <translation>un número entero de horas de {low} a {high}</translation>
    </message>
    <message>
      <source>{value} is not a valid age in hours.</source>
      <translation>{value} no es una antigüedad en horas válida.</translation>
    </message>
    <message>
      <source>There is no request setting called '{name}'.</source>
      <translation>No hay ninguna configuración de solicitudes llamada '{name}'.</translation>
    </message>
    <message>
      <source>The request settings are: {value}.</source>
      <translation>Las configuraciones de solicitudes son: {value}.</translation>
    </message>
    <message>
      <source>{name} is not a face embedder.</source>
      <translation>{name} no es un modelo de caras.</translation>
    </message>
    <message>
      <source>Choose one of: {EMBEDDER_CHOICES}.</source>
      <translation>Elija uno de estos: {EMBEDDER_CHOICES}.</translation>
    </message>
    <message>
      <source>The name is empty.</source>
      <translation>El nombre está vacío.</translation>
    </message>
    <message>
      <source>Type the name colleagues know you by; it is shown in the activity log.</source>
      <translation>Escriba el nombre por el que le conocen sus colegas; se muestra en el registro de actividad.</translation>
    </message>
    <message>
      <source>The name is longer than {OPERATOR_MAX} characters or holds control characters.</source>
      <translation>El nombre tiene más de {OPERATOR_MAX} caracteres o contiene caracteres de control.</translation>
    </message>
    <message>
      <source>Use a first name or initials.</source>
      <translation>Use un nombre de pila o sus iniciales.</translation>
    </message>
    <message>
      <source>'{scheme}' is not a colour scheme.</source>
      <translation>'{scheme}' no es un esquema de colores.</translation>
    </message>
    <message>
      <source>Use one of: {COLOR_SCHEMES}.</source>
      <translation>Use uno de estos: {COLOR_SCHEMES}.</translation>
    </message>
    <message>
      <source>The stored threshold '{name}' ({value}) is not valid (it must be {allowed}){used}. Set it again in Settings or with 'ncii-desk settings set', or reset it with 'ncii-desk settings reset'.</source>
      <translation>El umbral guardado '{name}' ({value}) no es válido (debe ser {allowed}){used}. Vuelva a ponerlo en Configuración o con 'ncii-desk settings set', o restablézcalo con 'ncii-desk settings reset'.</translation>
    </message>
    <message>
      <source>; the default {default} was used</source>
      <translation>; se usó el valor predeterminado {default}</translation>
    </message>
    <message>
      <source>The stored setting 'requests.{name}' ({data}) is not valid ({message}); the default was used. Set it again with 'ncii-desk settings set requests.{name} VALUE'.</source>
      <translation>La configuración guardada 'requests.{name}' ({data}) no es válida ({message}); se usó el valor predeterminado. Vuelva a ponerla con 'ncii-desk settings set requests.{name} VALUE'.</translation>
    </message>
    <message>
      <source>a set of values</source>
      <translation>un conjunto de valores</translation>
    </message>
  </context>
  <context>
    <name>services.signoff</name>
    <message>
      <source>In a laptop vault you may send letters without a sign-off; sign-off is for cases on a clinic server, where a supervising attorney signs off an advocate's letters.</source>
      <translation>En una bóveda de portátil puede enviar cartas sin visto bueno; el visto bueno es para casos en un servidor de clínica, donde un abogado supervisor aprueba las cartas de un defensor.</translation>
    </message>
    <message>
      <source>Ask a supervising attorney on the case to sign it off ('ncii-desk requests sign-off REQ' or the Sign off button of the Requests pane), then mark it as sent.</source>
      <translation>Pida a un abogado supervisor del caso que le dé el visto bueno ('ncii-desk requests sign-off REQ' o el botón Dar visto bueno del panel Solicitudes) y luego márquela como enviada.</translation>
    </message>
    <message>
      <source>Only a supervising attorney on a case of the clinic may change whether letters need a sign-off before they are sent.</source>
      <translation>Solo un abogado supervisor de un caso de la clínica puede cambiar si las cartas necesitan visto bueno antes de enviarse.</translation>
    </message>
    <message>
      <source>Ask a supervising attorney of the clinic to change it.</source>
      <translation>Pida a un abogado supervisor de la clínica que lo cambie.</translation>
    </message>
    <message>
      <source>This letter was changed after it was signed off, and the clinic needs a supervising attorney's sign-off of the letter that is sent.</source>
      <translation>Esta carta cambió después de recibir el visto bueno, y la clínica exige el visto bueno de un abogado supervisor para la carta que se envía.</translation>
    </message>
    <message>
      <source>This letter has not been signed off, and the clinic needs a supervising attorney's sign-off before a letter is sent.</source>
      <translation>Esta carta no tiene visto bueno, y la clínica exige el visto bueno de un abogado supervisor antes de enviar una carta.</translation>
    </message>
    <message>
      <source>Letter sign-off applies to clinic cases; this store has no members or roles.</source>
      <translation>El visto bueno de cartas es para casos de clínica; este almacén no tiene miembros ni funciones.</translation>
    </message>
    <message>
      <source>This request was already marked as sent; a letter is signed off before it is sent.</source>
      <translation>Esta solicitud ya se marcó como enviada; el visto bueno se da antes de enviar la carta.</translation>
    </message>
    <message>
      <source>Draft a new request if the letter must change.</source>
      <translation>Redacte una nueva solicitud si la carta debe cambiar.</translation>
    </message>
    <message>
      <source>This request has no stored letter to sign off.</source>
      <translation>Esta solicitud no tiene ninguna carta guardada que aprobar.</translation>
    </message>
    <message>
      <source>The letter changed while it was being signed off; nothing was signed.</source>
      <translation>La carta cambió mientras se aprobaba; no se firmó nada.</translation>
    </message>
    <message>
      <source>Read the letter again, then sign it off.</source>
      <translation>Vuelva a leer la carta y luego dele el visto bueno.</translation>
    </message>
    <message>
      <source>You have already signed off this letter.</source>
      <translation>Usted ya dio el visto bueno a esta carta.</translation>
    </message>
    <message>
      <source>Nothing more is needed.</source>
      <translation>No hace falta nada más.</translation>
    </message>
  </context>
  <context>
    <name>services.validation</name>
    <message>
      <source>The {label} folder {folder} does not exist or is not a folder.</source>
      <translation>La carpeta de {label} {folder} no existe o no es una carpeta.</translation>
    </message>
    <message>
      <source>Give the folder that holds the {label} pictures (--{label} DIR).</source>
      <translation>Indique la carpeta que contiene las imágenes de {label} (--{label} DIR).</translation>
    </message>
    <message>
      <source>The threshold must lie between 0 and 1, not {threshold}.</source>
      <translation>El umbral debe estar entre 0 y 1, no {threshold}.</translation>
    </message>
    <message>
      <source>Give a manipulation probability such as 0.5.</source>
      <translation>Indique una probabilidad de manipulación, como 0.5.</translation>
    </message>
    <message>
      <source>{resamples} bootstrap resamples are too few.</source>
      <translation>{resamples} remuestreos bootstrap son muy pocos.</translation>
    </message>
    <message>
      <source>Use 1000 or more.</source>
      <translation>Use 1000 o más.</translation>
    </message>
    <message>
      <source>The report could not be written to {out}: {value}.</source>
      <translation>No se pudo escribir el informe en {out}: {value}.</translation>
    </message>
    <message>
      <source>Give a folder you can write to with --out (it is created if missing).</source>
      <translation>Indique con --out una carpeta en la que pueda escribir (se crea si no existe).</translation>
    </message>
    <message>
      <source>Saving a validation record needs the domain of the labelled pictures.</source>
      <translation>Para guardar un registro de validación hace falta el tipo de imágenes etiquetadas.</translation>
    </message>
    <message>
      <source>Say what the pictures are with --domain, e.g. --domain "face-swap video frames from phone recordings".</source>
      <translation>Diga qué son las imágenes con --domain, por ejemplo --domain "face-swap video frames from phone recordings".</translation>
    </message>
    <message>
      <source>Say what kind of pictures the two folders hold, e.g. face-swap video frames.</source>
      <translation>Diga qué tipo de imágenes contienen las dos carpetas, por ejemplo cuadros de video con cambio de cara.</translation>
    </message>
  </context>
  <context>
    <name>services.vaults</name>
    <message>
      <source>The key-derivation memory must be between {lowest} MiB and {highest} MiB ({memory_mib} MiB was given).</source>
      <translation>La memoria para derivar la clave debe estar entre {lowest} MiB y {highest} MiB (se indicaron {memory_mib} MiB).</translation>
    </message>
    <message>
      <source>The unlock time target must be between 0.05 and 30 seconds ({target_seconds} was given).</source>
      <translation>El tiempo objetivo de desbloqueo debe estar entre 0.05 y 30 segundos (se indicó {target_seconds}).</translation>
    </message>
    <message>
      <source>{location} is neither a vault folder nor a clinic store address.</source>
      <translation>{location} no es ni una carpeta de bóveda ni la dirección de un almacén de clínica.</translation>
    </message>
    <message>
      <source>Give a vault folder, or a clinic store as postgresql://USER@HOST:PORT/DATABASE.</source>
      <translation>Indique una carpeta de bóveda, o un almacén de clínica como postgresql://USUARIO@SERVIDOR:PUERTO/BASE.</translation>
    </message>
    <message>
      <source>{what} is for a laptop vault; a clinic's shared store is open.</source>
      <translation>{what} es para una bóveda de portátil; está abierto el almacén compartido de una clínica.</translation>
    </message>
    <message>
      <source>For your own clinic passphrase use 'ncii-desk clinic passphrase'; clinic details are shown by 'ncii-desk clinic members' and 'ncii-desk clinic-server info'.</source>
      <translation>Para su propia frase de contraseña de la clínica use 'ncii-desk clinic passphrase'; los datos de la clínica los muestran 'ncii-desk clinic members' y 'ncii-desk clinic-server info'.</translation>
    </message>
    <message>
      <source>The current passphrase is not right, so the passphrase was not changed.</source>
      <translation>La frase de contraseña actual no es correcta, así que no se cambió la frase de contraseña.</translation>
    </message>
    <message>
      <source>Type the passphrase you unlocked the vault with (check Caps Lock).</source>
      <translation>Escriba la frase de contraseña con la que desbloqueó la bóveda (revise Bloq Mayús).</translation>
    </message>
  </context>
  <context>
    <name>vault.blobs</name>
    <message>
      <source>An evidence file is missing from the vault.</source>
      <translation>Falta un archivo de pruebas en la bóveda.</translation>
    </message>
    <message>
      <source>An evidence file is truncated.</source>
      <translation>Un archivo de pruebas está incompleto.</translation>
    </message>
    <message>
      <source>An evidence file has a damaged header.</source>
      <translation>Un archivo de pruebas tiene el encabezado dañado.</translation>
    </message>
    <message>
      <source>An evidence file has no content chunks.</source>
      <translation>Un archivo de pruebas no tiene bloques de contenido.</translation>
    </message>
    <message>
      <source>An evidence file failed its integrity check (it was changed, truncated or damaged).</source>
      <translation>Un archivo de pruebas no pasó su comprobación de integridad (se cambió, está incompleto o dañado).</translation>
    </message>
    <message>
      <source>An evidence file does not match the hashes recorded when it was stored.</source>
      <translation>Un archivo de pruebas no coincide con las huellas registradas al guardarlo.</translation>
    </message>
    <message>
      <source>The folder to export into does not exist: {folder}</source>
      <translation>La carpeta a la que se quiere exportar no existe: {folder}</translation>
    </message>
    <message>
      <source>The item could not be written to {dest}: {strerror}.</source>
      <translation>No se pudo escribir el elemento en {dest}: {strerror}.</translation>
    </message>
  </context>
  <context>
    <name>vault.db</name>
    <message>
      <source>The case database cannot be decrypted or is damaged.</source>
      <translation>La base de datos de casos no se puede descifrar o está dañada.</translation>
    </message>
    <message>
      <source>The case database has schema revision {start}, which this version of NCII Desk does not know.</source>
      <translation>La base de datos de casos tiene la revisión de esquema {start}, que esta versión de NCII Desk no conoce.</translation>
    </message>
  </context>
  <context>
    <name>vault.handover_format</name>
    <message>
      <source>The recipient key file holds no readable key.</source>
      <translation>El archivo de clave de quien lo recibe no contiene ninguna clave legible.</translation>
    </message>
    <message>
      <source>Ask the recipient for the file 'ncii-desk vault pubkey --out FILE' writes.</source>
      <translation>Pida a quien lo recibe el archivo que escribe 'ncii-desk vault pubkey --out FILE'.</translation>
    </message>
    <message>
      <source>The recipient key file holds a key of the wrong size.</source>
      <translation>El archivo de clave de quien lo recibe contiene una clave del tamaño equivocado.</translation>
    </message>
    <message>
      <source>The recipient key file's fingerprint does not match its key (the file was edited or damaged).</source>
      <translation>La huella del archivo de clave de quien lo recibe no coincide con su clave (el archivo se editó o está dañado).</translation>
    </message>
    <message>
      <source>This is not an NCII Desk case hand-over file (or its beginning is damaged).</source>
      <translation>Este no es un archivo de traspaso de casos de NCII Desk (o su comienzo está dañado).</translation>
    </message>
    <message>
      <source>Check that you chose the .ncii file you were sent.</source>
      <translation>Compruebe que eligió el archivo .ncii que le enviaron.</translation>
    </message>
    <message>
      <source>The hand-over file's header is damaged (its length is wrong).</source>
      <translation>El encabezado del archivo de traspaso está dañado (su longitud es incorrecta).</translation>
    </message>
    <message>
      <source>The hand-over file's header is damaged or from an unknown version.</source>
      <translation>El encabezado del archivo de traspaso está dañado o es de una versión desconocida.</translation>
    </message>
    <message>
      <source>Ask the sender to export the case again with this version of NCII Desk.</source>
      <translation>Pida a quien lo envió que vuelva a exportar el caso con esta versión de NCII Desk.</translation>
    </message>
    <message>
      <source>The hand-over file's header is damaged (salt or nonce).</source>
      <translation>El encabezado del archivo de traspaso está dañado (sal o nonce).</translation>
    </message>
    <message>
      <source>This hand-over file is protected by a passphrase, not by this vault's key.</source>
      <translation>Este archivo de traspaso está protegido con una frase de contraseña, no con la clave de esta bóveda.</translation>
    </message>
    <message>
      <source>Import it with --passphrase and type the passphrase the sender gave you.</source>
      <translation>Impórtelo con --passphrase y escriba la frase de contraseña que le dio quien lo envió.</translation>
    </message>
    <message>
      <source>This hand-over file was encrypted for another vault (key fingerprint {recipient_fingerprint}); this vault's key is {fingerprint}.</source>
      <translation>Este archivo de traspaso se cifró para otra bóveda (huella de clave {recipient_fingerprint}); la clave de esta bóveda es {fingerprint}.</translation>
    </message>
    <message>
      <source>Ask the sender to export the case again to your public key ('ncii-desk vault pubkey').</source>
      <translation>Pida a quien lo envió que vuelva a exportar el caso para su clave pública ('ncii-desk vault pubkey').</translation>
    </message>
    <message>
      <source>The hand-over file's header is damaged (ephemeral key).</source>
      <translation>El encabezado del archivo de traspaso está dañado (clave efímera).</translation>
    </message>
    <message>
      <source>The hand-over file's header was altered: its key does not open it.</source>
      <translation>El encabezado del archivo de traspaso fue alterado: su clave no lo abre.</translation>
    </message>
    <message>
      <source>Ask the sender for a fresh copy of the file.</source>
      <translation>Pida a quien lo envió una copia nueva del archivo.</translation>
    </message>
    <message>
      <source>This hand-over file is encrypted to a vault's key, not to a passphrase.</source>
      <translation>Este archivo de traspaso está cifrado para la clave de una bóveda, no con una frase de contraseña.</translation>
    </message>
    <message>
      <source>Import it without --passphrase, into the vault whose key it was made for.</source>
      <translation>Impórtelo sin --passphrase, en la bóveda para cuya clave se hizo.</translation>
    </message>
    <message>
      <source>The hand-over file's key-derivation settings are damaged or out of range.</source>
      <translation>La configuración de derivación de clave del archivo de traspaso está dañada o fuera de rango.</translation>
    </message>
    <message>
      <source>The passphrase does not open this hand-over file.</source>
      <translation>La frase de contraseña no abre este archivo de traspaso.</translation>
    </message>
    <message>
      <source>Check the passphrase with the sender (by phone, not by e-mail) and try again.</source>
      <translation>Confirme la frase de contraseña con quien lo envió (por teléfono, no por correo electrónico) y vuelva a intentarlo.</translation>
    </message>
    <message>
      <source>The hand-over file is truncated (chunk {index} is incomplete).</source>
      <translation>El archivo de traspaso está incompleto (el bloque {index} no está completo).</translation>
    </message>
    <message>
      <source>Ask the sender for a complete copy of the file.</source>
      <translation>Pida a quien lo envió una copia completa del archivo.</translation>
    </message>
    <message>
      <source>The hand-over file failed its integrity check at chunk {index} (it was changed, reordered, truncated or damaged).</source>
      <translation>El archivo de traspaso no pasó su comprobación de integridad en el bloque {index} (se cambió, se reordenó, está incompleto o dañado).</translation>
    </message>
    <message>
      <source>Ask the sender for a fresh copy; nothing was imported.</source>
      <translation>Pida a quien lo envió una copia nueva; no se importó nada.</translation>
    </message>
    <message>
      <source>The hand-over file holds a frame of an impossible size.</source>
      <translation>El archivo de traspaso contiene un bloque de un tamaño imposible.</translation>
    </message>
    <message>
      <source>The hand-over file ends in the middle of a record.</source>
      <translation>El archivo de traspaso termina en medio de un registro.</translation>
    </message>
  </context>
  <context>
    <name>vault.keys</name>
    <message>
      <source>The key-derivation memory must be at least {value} MiB.</source>
      <translation>La memoria para derivar la clave debe ser de al menos {value} MiB.</translation>
    </message>
    <message>
      <source>The key-derivation settings are out of range.</source>
      <translation>La configuración de derivación de clave está fuera de rango.</translation>
    </message>
    <message>
      <source>The passphrase could not be checked: the key derivation needs {value} MiB of memory, which this computer could not give.</source>
      <translation>No se pudo comprobar la frase de contraseña: la derivación de clave necesita {value} MiB de memoria, que esta computadora no pudo dar.</translation>
    </message>
    <message>
      <source>Close other programs and try again.</source>
      <translation>Cierre otros programas y vuelva a intentarlo.</translation>
    </message>
    <message>
      <source>The recovery key should have {expected_len} letters and digits; {cleaned_count} were given.</source>
      <translation>La clave de recuperación debe tener {expected_len} letras y dígitos; se escribieron {cleaned_count}.</translation>
    </message>
    <message>
      <source>The recovery key contains characters that cannot appear in it.</source>
      <translation>La clave de recuperación contiene caracteres que no pueden aparecer en ella.</translation>
    </message>
    <message>
      <source>The recovery key has a typing mistake (its checksum is wrong).</source>
      <translation>La clave de recuperación tiene un error de escritura (su suma de control no es correcta).</translation>
    </message>
    <message>
      <source>The passphrase is too short ({passphrase_count} characters; at least {MIN_PASSPHRASE_CHARS} are required).</source>
      <translation>La frase de contraseña es demasiado corta ({passphrase_count} caracteres; se necesitan al menos {MIN_PASSPHRASE_CHARS}).</translation>
    </message>
    <message>
      <source>The passphrase repeats too few characters (at least {MIN_DISTINCT_CHARS} different ones are required).</source>
      <translation>La frase de contraseña repite demasiado los mismos caracteres (se necesitan al menos {MIN_DISTINCT_CHARS} distintos).</translation>
    </message>
    <message>
      <source>The passphrase is a run of keys or letters in order, which is guessed at once.</source>
      <translation>La frase de contraseña es una serie de teclas o letras seguidas, que se adivina de inmediato.</translation>
    </message>
    <message>
      <source>The passphrase is one of the most common passwords, which are guessed first.</source>
      <translation>La frase de contraseña es una de las contraseñas más comunes, que son las primeras que se prueban.</translation>
    </message>
    <message>
      <source>The passphrase is not correct for this vault.</source>
      <translation>La frase de contraseña no es correcta para esta bóveda.</translation>
    </message>
    <message>
      <source>This recovery key does not belong to this vault.</source>
      <translation>Esta clave de recuperación no pertenece a esta bóveda.</translation>
    </message>
    <message>
      <source>Check that you are opening the right vault folder and typed the key printed for it.</source>
      <translation>Compruebe que está abriendo la carpeta de bóveda correcta y que escribió la clave impresa para ella.</translation>
    </message>
    <message>
      <source>The vault header was altered: its authentication code does not match.</source>
      <translation>El encabezado de la bóveda fue alterado: su código de autenticación no coincide.</translation>
    </message>
    <message>
      <source>The vault header cannot be read.</source>
      <translation>No se puede leer el encabezado de la bóveda.</translation>
    </message>
    <message>
      <source>The vault header is damaged (its checksum does not match).</source>
      <translation>El encabezado de la bóveda está dañado (su suma de control no coincide).</translation>
    </message>
    <message>
      <source>This is not an NCII Desk vault header of a known version.</source>
      <translation>Este no es un encabezado de bóveda de NCII Desk de una versión conocida.</translation>
    </message>
    <message>
      <source>The vault header's key-derivation setting {field} is not acceptable ({reason}); it was refused before any key was derived.</source>
      <translation>La configuración de derivación de clave {field} del encabezado de la bóveda no es aceptable ({reason}); se rechazó antes de derivar ninguna clave.</translation>
    </message>
    <message>
      <source>The vault header has no key-derivation settings.</source>
      <translation>El encabezado de la bóveda no tiene configuración de derivación de clave.</translation>
    </message>
    <message>
      <source>The vault header has missing or invalid fields.</source>
      <translation>Al encabezado de la bóveda le faltan campos o tiene campos no válidos.</translation>
    </message>
    <message>
      <source>The vault header file was changed: its bytes are not as written.</source>
      <translation>El archivo de encabezado de la bóveda se cambió: sus bytes no son los que se escribieron.</translation>
    </message>
  </context>
  <context>
    <name>vault.lock</name>
    <message>
      <source>This vault is already open in another NCII Desk window or command.</source>
      <translation>Esta bóveda ya está abierta en otra ventana o comando de NCII Desk.</translation>
    </message>
  </context>
  <context>
    <name>vault.members.casekeys</name>
    <message>
      <source>The stored key of case {case_id} (version {version}) is not a wrapped case key.</source>
      <translation>La clave guardada del caso {case_id} (versión {version}) no es una clave de caso protegida.</translation>
    </message>
    <message>
      <source>The stored key of case {case_id} (version {version}) was wrapped for another member, not for you.</source>
      <translation>La clave guardada del caso {case_id} (versión {version}) se protegió para otro miembro, no para usted.</translation>
    </message>
    <message>
      <source>Ask a supervising attorney on the case to add you to it.</source>
      <translation>Pida a un abogado supervisor del caso que le agregue.</translation>
    </message>
    <message>
      <source>The stored key of case {case_id} (version {version}) belongs to another case, version or clinic.</source>
      <translation>La clave guardada del caso {case_id} (versión {version}) pertenece a otro caso, otra versión u otra clínica.</translation>
    </message>
    <message>
      <source>The stored key of case {case_id} (version {version}) does not open with your key: it was altered, or copied from another member, case or version.</source>
      <translation>La clave guardada del caso {case_id} (versión {version}) no se abre con su clave: fue alterada o copiada de otro miembro, caso o versión.</translation>
    </message>
    <message>
      <source>The stored key of case {case_id} (version {version}) has the wrong size.</source>
      <translation>La clave guardada del caso {case_id} (versión {version}) no tiene el tamaño correcto.</translation>
    </message>
  </context>
  <context>
    <name>vault.members.identity</name>
    <message>
      <source>This member's key record was altered: its authentication code does not match.</source>
      <translation>El registro de claves de este miembro fue alterado: su código de autenticación no coincide.</translation>
    </message>
    <message>
      <source>This member's key record names public keys that do not belong to it.</source>
      <translation>El registro de claves de este miembro nombra claves públicas que no le pertenecen.</translation>
    </message>
    <message>
      <source>The passphrase is not correct for this member.</source>
      <translation>La frase de contraseña no es correcta para este miembro.</translation>
    </message>
    <message>
      <source>Check Caps Lock and the keyboard layout and try again. If the passphrase is lost, use your personal recovery key to set a new one.</source>
      <translation>Revise las mayúsculas (Bloq Mayús) y la distribución del teclado e inténtelo de nuevo. Si perdió la frase de contraseña, use su clave de recuperación personal para poner una nueva.</translation>
    </message>
    <message>
      <source>This recovery key does not belong to this member.</source>
      <translation>Esta clave de recuperación no pertenece a este miembro.</translation>
    </message>
    <message>
      <source>Check that you typed the recovery key printed for you (not the vault's or another member's).</source>
      <translation>Compruebe que escribió la clave de recuperación que se imprimió para usted (no la de la bóveda ni la de otro miembro).</translation>
    </message>
    <message>
      <source>This is not a member key record of a known version.</source>
      <translation>Esto no es un registro de claves de miembro de una versión conocida.</translation>
    </message>
    <message>
      <source>This member's key record has missing or invalid fields.</source>
      <translation>Al registro de claves de este miembro le faltan campos o tiene campos no válidos.</translation>
    </message>
    <message>
      <source>This member's key record has an unacceptable key-derivation setting ({field_name}); it was refused before any key was derived.</source>
      <translation>El registro de claves de este miembro tiene un ajuste de derivación de claves inaceptable ({field_name}); se rechazó antes de derivar ninguna clave.</translation>
    </message>
    <message>
      <source>kdf</source>
      <translation>kdf</translation>
    </message>
  </context>
  <context>
    <name>vault.members.membership</name>
    <message>
      <source>Version {version} of the key of case {case_id} is not the key the case's signed membership records name: someone with access to the clinic server put in a key of their own.</source>
      <translation>La versión {version} de la clave del caso {case_id} no es la clave que nombran los registros firmados de miembros del caso: alguien con acceso al servidor de la clínica puso una clave propia.</translation>
    </message>
    <message>
      <source>Write nothing to this case. Tell the clinic's administrator; compare the case with an export or backup.</source>
      <translation>No guarde nada en este caso. Avise a la persona que administra la clínica; compare el caso con una exportación o una copia de seguridad.</translation>
    </message>
    <message>
      <source>The clinic server's key table for case {case_id} does not agree with the case's signed membership records.</source>
      <translation>La tabla de claves del servidor de la clínica para el caso {case_id} no concuerda con los registros firmados de miembros del caso.</translation>
    </message>
    <message>
      <source>The clinic server holds a public key for a member of case {case_id} that the signed membership records do not name.</source>
      <translation>El servidor de la clínica guarda una clave pública de un miembro del caso {case_id} que los registros firmados de miembros no nombran.</translation>
    </message>
    <message>
      <source>You are not a member of case {case_id}, so you cannot open it.</source>
      <translation>Usted no es miembro del caso {case_id}, así que no puede abrirlo.</translation>
    </message>
    <message>
      <source>You hold no key for the current version ({current_version}) of case {case_id}.</source>
      <translation>Usted no tiene clave para la versión actual ({current_version}) del caso {case_id}.</translation>
    </message>
    <message>
      <source>You are not a member of case {case_id}, so you cannot change who is.</source>
      <translation>Usted no es miembro del caso {case_id}, así que no puede cambiar quién lo es.</translation>
    </message>
    <message>
      <source>Ask a supervising attorney on the case to do it.</source>
      <translation>Pida a un abogado supervisor del caso que lo haga.</translation>
    </message>
    <message>
      <source>That person is already a member of case {case_id}.</source>
      <translation>Esa persona ya es miembro del caso {case_id}.</translation>
    </message>
    <message>
      <source>Remove them first to give them another role.</source>
      <translation>Quítela primero para darle otra función.</translation>
    </message>
    <message>
      <source>That person's keys belong to another clinic.</source>
      <translation>Las claves de esa persona pertenecen a otra clínica.</translation>
    </message>
    <message>
      <source>Add members of this clinic only; hand a case to another organisation with 'ncii-desk case export'.</source>
      <translation>Agregue solo miembros de esta clínica; para entregar un caso a otra organización use 'ncii-desk case export'.</translation>
    </message>
    <message>
      <source>That person is not a member of case {case_id}.</source>
      <translation>Esa persona no es miembro del caso {case_id}.</translation>
    </message>
    <message>
      <source>List the case's members to check whom to remove.</source>
      <translation>Vea la lista de miembros del caso para comprobar a quién quitar.</translation>
    </message>
    <message>
      <source>You cannot remove yourself from a case.</source>
      <translation>No puede quitarse usted mismo de un caso.</translation>
    </message>
    <message>
      <source>Ask another member who may manage the case's members to remove you.</source>
      <translation>Pida a otro miembro que pueda administrar los miembros del caso que le quite.</translation>
    </message>
    <message>
      <source>Version {version} of the key of case {case_id} is not the key the case's signed membership records name.</source>
      <translation>La versión {version} de la clave del caso {case_id} no es la clave que nombran los registros firmados de miembros del caso.</translation>
    </message>
    <message>
      <source>Case {case_id} has no membership records.</source>
      <translation>El caso {case_id} no tiene registros de miembros.</translation>
    </message>
    <message>
      <source>The membership records of case {case_id} end before, or differ from, what this computer verified earlier (record {seq}): the clinic server was rolled back or altered.</source>
      <translation>Los registros de miembros del caso {case_id} terminan antes de lo que esta computadora verificó la última vez, o son distintos (registro {seq}): el servidor de la clínica se devolvió a un estado anterior o fue alterado.</translation>
    </message>
  </context>
  <context>
    <name>vault.members.signoff</name>
    <message>
      <source>You are not a member of case {case_id}, so you cannot sign off its letters.</source>
      <translation>Usted no es miembro del caso {case_id}, así que no puede aprobar sus cartas.</translation>
    </message>
    <message>
      <source>Ask a supervising attorney on the case to sign it off.</source>
      <translation>Pida a un abogado supervisor del caso que la apruebe.</translation>
    </message>
  </context>
  <context>
    <name>vault.roles</name>
    <message>
      <source>Ask a supervising attorney on this case to do it, or to change your role on the case.</source>
      <translation>Pida a un abogado supervisor de este caso que lo haga o que cambie su función en el caso.</translation>
    </message>
    <message>
      <source>You are {ROLE_WORDS} on this case, and only {_roles_that} may {ACTION_WORDS}.</source>
      <translation>Su función en este caso es {ROLE_WORDS}, y solo {_roles_that} puede {ACTION_WORDS}.</translation>
    </message>
    <message>
      <source>You are {ROLE_WORDS} on this case and cannot add someone as {ROLE_WORDS2}.</source>
      <translation>Su función en este caso es {ROLE_WORDS} y no puede agregar a alguien como {ROLE_WORDS2}.</translation>
    </message>
    <message>
      <source>Ask a supervising attorney on this case to add them.</source>
      <translation>Pida a un abogado supervisor de este caso que la agregue.</translation>
    </message>
    <message>
      <source>'{text}' is not a role on a case.</source>
      <translation>'{text}' no es una función en un caso.</translation>
    </message>
    <message>
      <source>Choose one of: {choices}.</source>
      <translation>Elija una de estas: {choices}.</translation>
    </message>
  </context>
  <context>
    <name>vault.vault</name>
    <message>
      <source>The folder {root} is not empty.</source>
      <translation>La carpeta {root} no está vacía.</translation>
    </message>
    <message>
      <source>No NCII Desk vault was found in {root}.</source>
      <translation>No se encontró ninguna bóveda de NCII Desk en {root}.</translation>
    </message>
    <message>
      <source>The vault is locked; a passphrase or recovery key is needed.</source>
      <translation>La bóveda está bloqueada; se necesita una frase de contraseña o una clave de recuperación.</translation>
    </message>
    <message>
      <source>Both copies of the vault header are damaged; the vault cannot be unlocked. {message}</source>
      <translation>Las dos copias del encabezado de la bóveda están dañadas; la bóveda no se puede desbloquear. {message}</translation>
    </message>
    <message>
      <source>Both copies of the vault header were altered; the vault cannot be unlocked.</source>
      <translation>Las dos copias del encabezado de la bóveda fueron alteradas; la bóveda no se puede desbloquear.</translation>
    </message>
    <message>
      <source>The case database ({DB_NAME}) is missing from the vault folder; without it the cases, items and audit log cannot be read. Nothing was changed.</source>
      <translation>Falta la base de datos de casos ({DB_NAME}) en la carpeta de la bóveda; sin ella no se pueden leer los casos, los elementos ni el registro de actividad. No se cambió nada.</translation>
    </message>
    <message>
      <source>Do not write to this vault. Keep a copy of the whole vault folder as it is, then restore the vault folder from your latest backup (meta.db together with audit.head and blobs/: a database older than audit.head is reported as a rollback).</source>
      <translation>No escriba en esta bóveda. Guarde una copia de toda la carpeta de la bóveda tal como está y luego restaure la carpeta de la bóveda desde su copia de seguridad más reciente (meta.db junto con audit.head y blobs/: una base de datos más antigua que audit.head se informa como una reversión).</translation>
    </message>
    <message>
      <source>meta.db</source>
      <translation>meta.db</translation>
    </message>
    <message>
      <source>The case database ({DB_NAME}) is empty. Nothing was changed.</source>
      <translation>La base de datos de casos ({DB_NAME}) está vacía. No se cambió nada.</translation>
    </message>
    <message>
      <source>The vault is locked.</source>
      <translation>La bóveda está bloqueada.</translation>
    </message>
    <message>
      <source>The vault check was cancelled before it finished.</source>
      <translation>La comprobación de la bóveda se canceló antes de terminar.</translation>
    </message>
    <message>
      <source>{permissions_tightened_count} vault file(s) or folder(s) could be read by other users of this computer; they are now private to you.</source>
      <translation>Otras personas usuarias de esta computadora podían leer {permissions_tightened_count} archivo(s) o carpeta(s) de la bóveda; ahora solo usted puede leerlos.</translation>
    </message>
    <message>
      <source>The main vault header was damaged and was restored from its backup copy ({rstrip}).</source>
      <translation>El encabezado principal de la bóveda estaba dañado y se restauró desde su copia de seguridad ({rstrip}).</translation>
    </message>
    <message>
      <source>The backup copy of the vault header ({HEADER_BAK_NAME}) was damaged or out of date and was rewritten from {HEADER_NAME} ({damage}).</source>
      <translation>La copia de seguridad del encabezado de la bóveda ({HEADER_BAK_NAME}) estaba dañada o desactualizada y se volvió a escribir a partir de {HEADER_NAME} ({damage}).</translation>
    </message>
    <message>
      <source>audit.head was {audit_head_advanced_by} event(s) behind the audit log (an interrupted save, or an older copy of audit.head); the log itself verified and audit.head was brought up to date.</source>
      <translation>audit.head estaba {audit_head_advanced_by} evento(s) por detrás del registro de auditoría (un guardado interrumpido o una copia más antigua de audit.head); el registro en sí se verificó y audit.head se puso al día.</translation>
    </message>
    <message>
      <source>{quarantined_count} file(s) left by an interrupted save were moved to the vault's quarantine folder (nothing was deleted).</source>
      <translation>{quarantined_count} archivo(s) que dejó un guardado interrumpido se movieron a la carpeta de cuarentena de la bóveda (no se borró nada).</translation>
    </message>
    <message>
      <source>{dropped_deleted_count} stored file(s) whose deletion had been interrupted (files that may not be kept) were deleted now.</source>
      <translation>Se borraron ahora {dropped_deleted_count} archivo(s) guardado(s) cuyo borrado se había interrumpido (archivos que no se pueden conservar).</translation>
    </message>
    <message>
      <source>{missing_blobs_count} stored evidence file(s) are missing; run 'ncii-desk vault check' for details.</source>
      <translation>Faltan {missing_blobs_count} archivo(s) de pruebas guardado(s); ejecute 'ncii-desk vault check' para ver los detalles.</translation>
    </message>
    <message>
      <source>Audit log problem: {problem}.</source>
      <translation>Problema en el registro de auditoría: {problem}.</translation>
    </message>
  </context>
  <context>
    <name>media.loader</name>
    <message>
      <source>The file {data} does not exist.</source>
      <translation>El archivo {data} no existe.</translation>
    </message>
    <message>
      <source>The file {data} cannot be read: {strerror}.</source>
      <translation>El archivo {data} no se puede leer: {strerror}.</translation>
    </message>
    <message>
      <source>{name} is empty (0 bytes).</source>
      <translation>{name} está vacío (0 bytes).</translation>
    </message>
    <message>
      <source>{name} is not an image NCII Desk can read (its content looks like {mime}).</source>
      <translation>{name} no es una imagen que NCII Desk pueda leer (su contenido parece {mime}).</translation>
    </message>
    <message>
      <source>{name} is {_size_text}, above the {_size_text2} limit for one image.</source>
      <translation>{name} pesa {_size_text}, más que el límite de {_size_text2} para una imagen.</translation>
    </message>
    <message>
      <source>{name} declares an empty picture ({w}x{h}).</source>
      <translation>{name} declara una imagen vacía ({w}x{h}).</translation>
    </message>
    <message>
      <source>{name} declares {w}x{h} pixels ({value} million), above the {value2} million limit; it may be a decompression bomb.</source>
      <translation>{name} declara {w}x{h} píxeles ({value} millones), más que el límite de {value2} millones; puede ser una bomba de descompresión.</translation>
    </message>
    <message>
      <source>{name} is too large to decode safely ({exc}).</source>
      <translation>{name} es demasiado grande para decodificarlo con seguridad ({exc}).</translation>
    </message>
    <message>
      <source>{name} looks like {mime} but cannot be decoded.</source>
      <translation>{name} parece {mime} pero no se puede decodificar.</translation>
    </message>
    <message>
      <source>{name} is damaged or truncated and cannot be decoded ({exc}).</source>
      <translation>{name} está dañado o incompleto y no se puede decodificar ({exc}).</translation>
    </message>
    <message>
      <source>{name} decoded to an unexpected pixel layout.</source>
      <translation>{name} se decodificó con una disposición de píxeles inesperada.</translation>
    </message>
    <message>
      <source>{name} is damaged: its picture descriptions claim {_size_text}, more than the file holds.</source>
      <translation>{name} está dañado: sus descripciones de imagen dicen ocupar {_size_text}, más de lo que contiene el archivo.</translation>
    </message>
    <message>
      <source>{name} has {_size_text} of picture descriptions, more than a photo needs ({_size_text2} at most).</source>
      <translation>{name} tiene {_size_text} de descripciones de imagen, más de lo que necesita una foto (como máximo {_size_text2}).</translation>
    </message>
    <message>
      <source>{name} holds {items} pictures (tiles, layers or thumbnails), more than the {max_heif_items} a photo has; it may be built to exhaust the computer.</source>
      <translation>{name} contiene {items} imágenes (mosaicos, capas o miniaturas), más que las {max_heif_items} que tiene una foto; puede estar hecho para agotar la computadora.</translation>
    </message>
    <message>
      <source>{name} declares a picture of {value} million pixels, above the {value2} million limit; it may be a decompression bomb.</source>
      <translation>{name} declara una imagen de {value} millones de píxeles, más que el límite de {value2} millones; puede ser una bomba de descompresión.</translation>
    </message>
    <message>
      <source>{name} is not a video NCII Desk can read (it looks like {mime}).</source>
      <translation>{name} no es un video que NCII Desk pueda leer (parece {mime}).</translation>
    </message>
    <message>
      <source>{name} is {_size_text}, larger than the {_size_text2} limit for one video.</source>
      <translation>{name} pesa {_size_text}, más que el límite de {_size_text2} para un video.</translation>
    </message>
    <message>
      <source>{name} cannot be opened as a video ({exc}).</source>
      <translation>{name} no se puede abrir como video ({exc}).</translation>
    </message>
    <message>
      <source>{name} has no video stream.</source>
      <translation>{name} no tiene pista de video.</translation>
    </message>
    <message>
      <source>{name} uses a video format NCII Desk cannot decode (or its header is damaged).</source>
      <translation>{name} usa un formato de video que NCII Desk no puede decodificar (o su encabezado está dañado).</translation>
    </message>
    <message>
      <source>{name} has frames of {width}x{height} pixels, above the {cap_text} pixel limit for video.</source>
      <translation>{name} tiene cuadros de {width}x{height} píxeles, más que el límite de {cap_text} píxeles para video.</translation>
    </message>
    <message>
      <source>{name} is damaged and no frame could be decoded ({last_error}).</source>
      <translation>{name} está dañado y no se pudo decodificar ningún cuadro ({last_error}).</translation>
    </message>
    <message>
      <source>{name} contains no decodable video frames.</source>
      <translation>{name} no contiene cuadros de video que se puedan decodificar.</translation>
    </message>
    <message>
      <source>the file</source>
      <translation>el archivo</translation>
    </message>
  </context>
  <context>
    <name>hashing.kinds</name>
    <message>
      <source>Check the hash: PDQ has 64 hex digits, video MD5 and MD5 32, SHA-256 64, pHash 16.</source>
      <translation>Revise la huella: PDQ tiene 64 dígitos hexadecimales, MD5 de video y MD5 32, SHA-256 64, pHash 16.</translation>
    </message>
    <message>
      <source>the {name} hash is missing</source>
      <translation>falta la huella {name}</translation>
    </message>
    <message>
      <source>pdq</source>
      <translation>pdq</translation>
    </message>
    <message>
      <source>phash</source>
      <translation>phash</translation>
    </message>
    <message>
      <source>dhash</source>
      <translation>dhash</translation>
    </message>
    <message>
      <source>md5</source>
      <translation>md5</translation>
    </message>
    <message>
      <source>video_md5</source>
      <translation>video_md5</translation>
    </message>
    <message>
      <source>sha256</source>
      <translation>sha256</translation>
    </message>
    <message>
      <source>the {name} hash contains characters other than the hex digits 0-9 and a-f</source>
      <translation>la huella {name} contiene caracteres distintos de los dígitos hexadecimales 0-9 y a-f</translation>
    </message>
    <message>
      <source>a {name} hash has {want} hex digits; this one has {value_count}</source>
      <translation>una huella {name} tiene {want} dígitos hexadecimales; esta tiene {value_count}</translation>
    </message>
    <message>
      <source>this {name} hash is all zeros: that is a placeholder, not the hash of a file, and it could match anything a broken tool produced</source>
      <translation>esta huella {name} es toda de ceros: es un marcador de posición, no la huella de un archivo, y podría coincidir con cualquier cosa que produjo una herramienta defectuosa</translation>
    </message>
    <message>
      <source>this is the {EMPTY_FILE_DIGESTS} of an empty (zero-byte) file, not of an image or video: it would match every empty file</source>
      <translation>esta es la {EMPTY_FILE_DIGESTS} de un archivo vacío (de cero bytes), no de una imagen ni de un video: coincidiría con cualquier archivo vacío</translation>
    </message>
    <message>
      <source>this {called} is all or nearly all zeros or ones: such hashes come from blank or single-colour images and would match almost anything, so it is not used</source>
      <translation>esta huella ({called}) es toda o casi toda de ceros o de unos: esas huellas vienen de imágenes en blanco o de un solo color y coincidirían con casi cualquier cosa, así que no se usa</translation>
    </message>
    <message>
      <source>a {name} hash has {value} bytes; this one has {data_count}</source>
      <translation>una huella {name} tiene {value} bytes; esta tiene {data_count}</translation>
    </message>
  </context>
  <context>
    <name>hashing.list_entries</name>
    <message>
      <source>the variant tag and its original must be text</source>
      <translation>la etiqueta de variante y su original deben ser texto</translation>
    </message>
    <message>
      <source>a variant hash needs both its tag and the canonical PDQ hash of its picture</source>
      <translation>una huella de variante necesita su etiqueta y la huella PDQ canónica de su imagen</translation>
    </message>
    <message>
      <source>the variant tag '{_shown}' has characters other than letters, digits and - _ . % + °</source>
      <translation>la etiqueta de variante '{_shown}' tiene caracteres distintos de letras, dígitos y - _ . % + °</translation>
    </message>
    <message>
      <source>only pdq and phash hashes can be variants of a picture</source>
      <translation>solo las huellas pdq y phash pueden ser variantes de una imagen</translation>
    </message>
    <message>
      <source>the original of a variant must be the picture's PDQ hash (64 hex digits)</source>
      <translation>el original de una variante debe ser la huella PDQ de la imagen (64 dígitos hexadecimales)</translation>
    </message>
    <message>
      <source>unknown hash kind: use {_KIND_NAMES}</source>
      <translation>tipo de huella desconocido: use {_KIND_NAMES}</translation>
    </message>
    <message>
      <source>the {kind} hash must be text</source>
      <translation>la huella {kind} debe ser texto</translation>
    </message>
    <message>
      <source>the quality must be a whole number from 0 to 100</source>
      <translation>la calidad debe ser un número entero de 0 a 100</translation>
    </message>
    <message>
      <source>the label must be text</source>
      <translation>la etiqueta debe ser texto</translation>
    </message>
    <message>
      <source>the label is longer than {MAX_LABEL_CHARS} characters</source>
      <translation>la etiqueta tiene más de {MAX_LABEL_CHARS} caracteres</translation>
    </message>
    <message>
      <source>the hash kind is missing: use {_KIND_NAMES}</source>
      <translation>falta el tipo de huella: use {_KIND_NAMES}</translation>
    </message>
    <message>
      <source>unknown hash kind '{shown}': use {_KIND_NAMES}</source>
      <translation>tipo de huella desconocido '{shown}': use {_KIND_NAMES}</translation>
    </message>
    <message>
      <source>the quality must be a whole number from 0 to 100, not '{_shown}'</source>
      <translation>la calidad debe ser un número entero de 0 a 100, no '{_shown}'</translation>
    </message>
  </context>
  <context>
    <name>hashing.list_parse</name>
    <message>
      <source>'{_shown}' is not a hash-list format.</source>
      <translation>'{_shown}' no es un formato de lista de hashes.</translation>
    </message>
    <message>
      <source>Use 'pytx' (one '&lt;kind&gt; &lt;hash&gt;' per line) or 'csv' (header kind,value,quality,label), or leave the format out to detect it.</source>
      <translation>Use 'pytx' (un '&lt;kind&gt; &lt;hash&gt;' por línea) o 'csv' (encabezado kind,value,quality,label), o no indique el formato para que se detecte.</translation>
    </message>
  </context>
  <context>
    <name>hashing.list_stream</name>
    <message>
      <source>'{name}' is not a file.</source>
      <translation>'{name}' no es un archivo.</translation>
    </message>
    <message>
      <source>The hash list '{name}' is saved as UTF-16 text.</source>
      <translation>La lista de hashes '{name}' está guardada como texto UTF-16.</translation>
    </message>
    <message>
      <source>Save it again as UTF-8 (in a spreadsheet: 'CSV UTF-8'), then add it again.</source>
      <translation>Vuelva a guardarla como UTF-8 (en una hoja de cálculo: 'CSV UTF-8') y añádala de nuevo.</translation>
    </message>
  </context>
  <context>
    <name>capture.web.fetcher</name>
    <message>
      <source>{shown} cannot be captured; only web addresses (http:// or https://) can.</source>
      <translation>{shown} no se puede capturar; solo se pueden capturar direcciones web (http:// o https://).</translation>
    </message>
    <message>
      <source>Copy the address from the browser's address bar; it starts with https://.</source>
      <translation>Copie la dirección de la barra de direcciones del navegador; empieza con https://.</translation>
    </message>
    <message>
      <source>'{scheme}:' addresses</source>
      <translation>Las direcciones '{scheme}:'</translation>
    </message>
    <message>
      <source>Addresses without http:// or https://</source>
      <translation>Las direcciones sin http:// ni https://</translation>
    </message>
    <message>
      <source>'{text}' is not a web address NCII Desk can read ({exc}).</source>
      <translation>'{text}' no es una dirección web que NCII Desk pueda leer ({exc}).</translation>
    </message>
    <message>
      <source>'{text}' is not a complete web address.</source>
      <translation>'{text}' no es una dirección web completa.</translation>
    </message>
    <message>
      <source>The server packed the content in a way NCII Desk cannot unpack ('{enc}').</source>
      <translation>El servidor comprimió el contenido de una forma que NCII Desk no puede descomprimir ('{enc}').</translation>
    </message>
    <message>
      <source>The raw response is still in the capture's WARC file.</source>
      <translation>La respuesta original sigue en el archivo WARC de la captura.</translation>
    </message>
    <message>
      <source>Unpacked, the content is larger than the limit of {_size_text}, so it was not kept.</source>
      <translation>Descomprimido, el contenido supera el límite de {_size_text}, así que no se guardó.</translation>
    </message>
    <message>
      <source>Raise the size limit (--max-bytes) if this content is needed.</source>
      <translation>Suba el límite de tamaño (--max-bytes) si se necesita este contenido.</translation>
    </message>
    <message>
      <source>The server redirected to an address that cannot be read ('{location}').</source>
      <translation>El servidor redirigió a una dirección que no se puede leer ('{location}').</translation>
    </message>
    <message>
      <source>Open the address in a browser to see where it leads, and capture that one.</source>
      <translation>Abra la dirección en un navegador para ver adónde lleva, y capture esa.</translation>
    </message>
    <message>
      <source>The server redirected to a '{scheme}:' address, which is not a web page and is not followed.</source>
      <translation>El servidor redirigió a una dirección '{scheme}:', que no es una página web y no se sigue.</translation>
    </message>
    <message>
      <source>Open the address in a browser to see where it leads.</source>
      <translation>Abra la dirección en un navegador para ver adónde lleva.</translation>
    </message>
    <message>
      <source>The address redirects in a loop (back to an address already visited after {hops} step(s)) and never reaches any content.</source>
      <translation>La dirección redirige en círculo (vuelve a una dirección ya visitada después de {hops} paso(s)) y nunca llega a ningún contenido.</translation>
    </message>
    <message>
      <source>The site may be broken or may be refusing automated visits. Try again later, or open it in a browser.</source>
      <translation>Puede que el sitio no funcione o que rechace las visitas automáticas. Vuelva a intentarlo más tarde, o ábralo en un navegador.</translation>
    </message>
    <message>
      <source>The address redirected more than {max_redirects} times without reaching any content.</source>
      <translation>La dirección redirigió más de {max_redirects} veces sin llegar a ningún contenido.</translation>
    </message>
    <message>
      <source>The server answered {status} {reason} instead of the content.</source>
      <translation>El servidor respondió {status} {reason} en lugar del contenido.</translation>
    </message>
    <message>
      <source>404 and 410 mean the content is not (or no longer) there; 403 or 429 can mean the site refuses automated visits. Check the address in a browser.</source>
      <translation>404 y 410 significan que el contenido no está (o ya no está) ahí; 403 o 429 pueden significar que el sitio rechaza las visitas automáticas. Revise la dirección en un navegador.</translation>
    </message>
    <message>
      <source>An image or video was expected here, but the server sent nothing.</source>
      <translation>Aquí se esperaba una imagen o un video, pero el servidor no envió nada.</translation>
    </message>
    <message>
      <source>The picture may have been removed. The other resources of the page are not affected.</source>
      <translation>Puede que la imagen se haya quitado. Los demás recursos de la página no se ven afectados.</translation>
    </message>
    <message>
      <source>An image or video was expected here, but the server sent {what}.</source>
      <translation>Aquí se esperaba una imagen o un video, pero el servidor envió {what}.</translation>
    </message>
    <message>
      <source>The picture may have been removed or replaced by a page; the other resources of the page are not affected.</source>
      <translation>Puede que la imagen se haya quitado o reemplazado por una página; los demás recursos de la página no se ven afectados.</translation>
    </message>
  </context>
  <context>
    <name>capture.web.network</name>
    <message>
      <source>The proxy set on this computer ({scheme}://) is of a kind NCII Desk cannot use.</source>
      <translation>El proxy configurado en esta computadora ({scheme}://) es de un tipo que NCII Desk no puede usar.</translation>
    </message>
    <message>
      <source>Ask your technical support for an HTTP proxy address, or capture from a network without a proxy.</source>
      <translation>Pida a su soporte técnico la dirección de un proxy HTTP, o capture desde una red sin proxy.</translation>
    </message>
    <message>
      <source>private-address</source>
      <translation>dirección privada</translation>
    </message>
    <message>
      <source>{shown} is {problem}; NCII Desk does not fetch from such addresses unless asked to, so a web page cannot make it reach into this computer or its network.</source>
      <translation>{shown} es {problem}; NCII Desk no descarga de esas direcciones a menos que se le pida, para que una página web no pueda hacerle llegar a esta computadora o a su red.</translation>
    </message>
    <message>
      <source>{host} ({address})</source>
      <translation>{host} ({address})</translation>
    </message>
  </context>
  <context>
    <name>documents.clock</name>
    <message>
      <source>'{name}' is not a known time zone.</source>
      <translation>'{name}' no es una zona horaria conocida.</translation>
    </message>
    <message>
      <source>Give an IANA time zone name such as America/New_York, America/Chicago or UTC.</source>
      <translation>Indique el nombre de una zona horaria IANA, como America/New_York, America/Chicago o UTC.</translation>
    </message>
    <message>
      <source>'{text}' is not a date and time.</source>
      <translation>'{text}' no es una fecha y hora.</translation>
    </message>
    <message>
      <source>Use a form like 2026-12-06 14:05 (the clinic's zone, or give --zone) or 2026-12-06T19:05Z.</source>
      <translation>Use una forma como 2026-12-06 14:05 (la zona de la organización, o indique --zone) o 2026-12-06T19:05Z.</translation>
    </message>
    <message>
      <source>{raw} does not exist in {zone_label} (the clocks skipped that hour).</source>
      <translation>{raw} no existe en {zone_label} (los relojes se saltaron esa hora).</translation>
    </message>
    <message>
      <source>Check the time, or give it with its UTC offset.</source>
      <translation>Revise la hora, o indíquela con su diferencia respecto de UTC.</translation>
    </message>
    <message>
      <source>{raw} happened twice in {zone_label} (the clocks went back that hour).</source>
      <translation>{raw} ocurrió dos veces en {zone_label} (los relojes se atrasaron esa hora).</translation>
    </message>
    <message>
      <source>Give it with its UTC offset, e.g. -04:00 for the first time or -05:00 for the second.</source>
      <translation>Indíquela con su diferencia respecto de UTC, por ejemplo -04:00 para la primera vez o -05:00 para la segunda.</translation>
    </message>
  </context>
  <context>
    <name>documents.forms</name>
    <message>
      <source>The forms/ folder (letter templates, platforms.toml, law.toml) was edited and now has a mistake. Undo the last edit, or reinstall NCII Desk to restore the original files.</source>
      <translation>La carpeta forms/ (plantillas de cartas, platforms.toml, law.toml) se editó y ahora tiene un error. Deshaga el último cambio, o reinstale NCII Desk para restaurar los archivos originales.</translation>
    </message>
    <message>
      <source>No platform called '{ref}' is known.</source>
      <translation>No se conoce ninguna plataforma llamada '{ref}'.</translation>
    </message>
    <message>
      <source>Use one of: {known} (or a domain such as reddit.com).</source>
      <translation>Use una de estas: {known} (o un dominio como reddit.com).</translation>
    </message>
    <message>
      <source>{where}: the entry '{key}' is missing.</source>
      <translation>{where}: falta la entrada '{key}'.</translation>
    </message>
    <message>
      <source>forms/templates/{name}</source>
      <translation>forms/templates/{name}</translation>
    </message>
    <message>
      <source>forms/{name}</source>
      <translation>forms/{name}</translation>
    </message>
    <message>
      <source>forms/platforms.toml, platform '{pid}'</source>
      <translation>forms/platforms.toml, plataforma '{pid}'</translation>
    </message>
    <message>
      <source>forms/law.toml, entry '{key}'</source>
      <translation>forms/law.toml, entrada '{key}'</translation>
    </message>
    <message>
      <source>{where}: '{key}' has the wrong type.</source>
      <translation>{where}: '{key}' tiene el tipo equivocado.</translation>
    </message>
    <message>
      <source>{where}: expected a list of texts.</source>
      <translation>{where}: se esperaba una lista de textos.</translation>
    </message>
    <message>
      <source>The file forms/{name} is missing.</source>
      <translation>Falta el archivo forms/{name}.</translation>
    </message>
    <message>
      <source>forms/{name} cannot be read: {exc}.</source>
      <translation>forms/{name} no se puede leer: {exc}.</translation>
    </message>
    <message>
      <source>forms/platforms.toml lists no platforms.</source>
      <translation>forms/platforms.toml no contiene ninguna plataforma.</translation>
    </message>
    <message>
      <source>{where}: unknown route '{route}'.</source>
      <translation>{where}: vía desconocida '{route}'.</translation>
    </message>
    <message>
      <source>{where}: '{domain}' is not a bare domain name.</source>
      <translation>{where}: '{domain}' no es solo un nombre de dominio.</translation>
    </message>
    <message>
      <source>{where}: '{domain}' is also listed for {by_domain}.</source>
      <translation>{where}: '{domain}' también aparece para {by_domain}.</translation>
    </message>
    <message>
      <source>{where}: a channel has the unknown route '{route}'.</source>
      <translation>{where}: un canal tiene la vía desconocida '{route}'.</translation>
    </message>
    <message>
      <source>{where}: a channel's last_checked is not a date.</source>
      <translation>{where}: el last_checked de un canal no es una fecha.</translation>
    </message>
    <message>
      <source>{where}: a DMCA agent channel needs verify = true, last_checked and source = "{DMCA_AGENT_SOURCE}".</source>
      <translation>{where}: un canal de agente DMCA necesita verify = true, last_checked y source = "{DMCA_AGENT_SOURCE}".</translation>
    </message>
    <message>
      <source>U.S. Copyright Office DMCA Designated Agent Directory (dmca.copyright.gov)</source>
      <translation>U.S. Copyright Office DMCA Designated Agent Directory (dmca.copyright.gov)</translation>
    </message>
    <message>
      <source>{where}: it takes DMCA notices but names no designated-agent channel (a channel with route = "dmca").</source>
      <translation>{where}: acepta avisos DMCA pero no indica ningún canal de agente designado (un canal con route = "dmca").</translation>
    </message>
    <message>
      <source>{where}: unknown required field '{name}'.</source>
      <translation>{where}: campo obligatorio desconocido '{name}'.</translation>
    </message>
    <message>
      <source>forms/platforms.toml has no 'unknown' fallback platform.</source>
      <translation>forms/platforms.toml no tiene la plataforma de reserva 'unknown'.</translation>
    </message>
    <message>
      <source>forms/law.toml lists no statutes.</source>
      <translation>forms/law.toml no contiene ninguna ley.</translation>
    </message>
    <message>
      <source>{where}: pending legislation cannot be switched on.</source>
      <translation>{where}: una ley en trámite no se puede activar.</translation>
    </message>
    <message>
      <source>Set status to 'enacted' and fill in public_law once the bill is law.</source>
      <translation>Ponga status en 'enacted' y complete public_law cuando el proyecto sea ley.</translation>
    </message>
    <message>
      <source>{where}: a bill can only be switched on with its public-law number.</source>
      <translation>{where}: un proyecto de ley solo se puede activar con su número de ley pública.</translation>
    </message>
    <message>
      <source>Fill in public_law (for example 'Pub. L. 119-xx') once it is enacted.</source>
      <translation>Complete public_law (por ejemplo 'Pub. L. 119-xx') cuando se promulgue.</translation>
    </message>
    <message>
      <source>{where}: unknown validator '{validator}'.</source>
      <translation>{where}: validador desconocido '{validator}'.</translation>
    </message>
    <message>
      <source>{where}: every document must name the law it relies on.</source>
      <translation>{where}: cada documento debe nombrar la ley en la que se basa.</translation>
    </message>
    <message>
      <source>{where}: law '{key}' is not in forms/law.toml.</source>
      <translation>{where}: la ley '{key}' no está en forms/law.toml.</translation>
    </message>
    <message>
      <source>{bwhere}: unknown kind '{kind}'.</source>
      <translation>{bwhere}: tipo desconocido '{kind}'.</translation>
    </message>
    <message>
      <source>{where}, block {number}</source>
      <translation>{where}, bloque {number}</translation>
    </message>
    <message>
      <source>{bwhere}: rows must be [label, value] pairs of texts.</source>
      <translation>{bwhere}: las filas deben ser pares [etiqueta, valor] de textos.</translation>
    </message>
    <message>
      <source>{bwhere}: the condition is not valid: {exc}.</source>
      <translation>{bwhere}: la condición no es válida: {exc}.</translation>
    </message>
    <message>
      <source>{where}: its id '{tid}' differs from the file name.</source>
      <translation>{where}: su id '{tid}' no coincide con el nombre del archivo.</translation>
    </message>
    <message>
      <source>{where}: statute '{statute}' is not in forms/law.toml.</source>
      <translation>{where}: la ley '{statute}' no está en forms/law.toml.</translation>
    </message>
    <message>
      <source>{ewhere}: unknown evidence word '{word}'.</source>
      <translation>{ewhere}: palabra de prueba desconocida '{word}'.</translation>
    </message>
    <message>
      <source>{where}, element {number}</source>
      <translation>{where}, elemento {number}</translation>
    </message>
    <message>
      <source>{where} lists no elements.</source>
      <translation>{where} no contiene ningún elemento.</translation>
    </message>
    <message>
      <source>{where}: template text is not valid: {message}.</source>
      <translation>{where}: el texto de la plantilla no es válido: {message}.</translation>
    </message>
    <message>
      <source>forms/templates/ holds no letter templates.</source>
      <translation>forms/templates/ no contiene ninguna plantilla de carta.</translation>
    </message>
  </context>
  <context>
    <name>documents.letters</name>
    <message>
      <source>None of the case's web addresses belong to {name}.</source>
      <translation>Ninguna de las direcciones web del caso pertenece a {name}.</translation>
    </message>
    <message>
      <source>See the case's addresses with 'ncii-desk capture list CASE', or add one with --url.</source>
      <translation>Vea las direcciones del caso con 'ncii-desk capture list CASE', o añada una con --url.</translation>
    </message>
    <message>
      <source>Block kind '{kind}' cannot be rendered.</source>
      <translation>El bloque de tipo '{kind}' no se puede mostrar.</translation>
    </message>
    <message>
      <source>The template '{id}' left the placeholder '{group}' unfilled.</source>
      <translation>La plantilla '{id}' dejó sin completar el marcador '{group}'.</translation>
    </message>
    <message>
      <source>The letter template '{template_id}' is missing.</source>
      <translation>Falta la plantilla de carta '{template_id}'.</translation>
    </message>
  </context>
  <context>
    <name>documents.manifest</name>
    <message>
      <source>Only manifest.csv was found; it was used.</source>
      <translation>Solo se encontró manifest.csv; se usó ese.</translation>
    </message>
    <message>
      <source>The sealed volume is not part of this copy; its {sealed_listed_count} file(s) were not checked (verify it separately).</source>
      <translation>El volumen sellado no forma parte de esta copia; sus {sealed_listed_count} archivo(s) no se comprobaron (verifíquelo por separado).</translation>
    </message>
    <message>
      <source>This is a sealed volume on its own: it carries no signature. Its manifest.csv (SHA-256 {hexdigest}) is listed with its digest in the main packet's signed manifest.json; compare them.</source>
      <translation>Este es un volumen sellado por sí solo: no lleva firma. Su manifest.csv (SHA-256 {hexdigest}) figura con su resumen en el manifest.json firmado del paquete principal; compárelos.</translation>
    </message>
    <message>
      <source>unsafe path inside the ZIP (absolute or with '..')</source>
      <translation>ruta no segura dentro del ZIP (absoluta o con '..')</translation>
    </message>
    <message>
      <source>appears more than once in the ZIP</source>
      <translation>aparece más de una vez en el ZIP</translation>
    </message>
    <message>
      <source>no packet folder or ZIP file exists at this path</source>
      <translation>no hay ninguna carpeta de paquete ni archivo ZIP en esta ruta</translation>
    </message>
    <message>
      <source>cannot be read as a ZIP archive ({exc})</source>
      <translation>no se puede leer como archivo ZIP ({exc})</translation>
    </message>
    <message>
      <source>missing: no manifest.json or manifest.csv at the top</source>
      <translation>falta: no hay manifest.json ni manifest.csv en el nivel superior</translation>
    </message>
    <message>
      <source>cannot be read: {exc}</source>
      <translation>no se puede leer: {exc}</translation>
    </message>
    <message>
      <source>changed: its text is not as NCII Desk wrote it</source>
      <translation>modificado: su texto no es el que escribió NCII Desk</translation>
    </message>
    <message>
      <source>changed: its text differs from what manifest.json lists</source>
      <translation>modificado: su texto no coincide con lo que indica manifest.json</translation>
    </message>
    <message>
      <source>missing: the packet should have it next to manifest.json</source>
      <translation>falta: el paquete debería tenerlo junto a manifest.json</translation>
    </message>
    <message>
      <source>its entry for {name} differs from manifest.json</source>
      <translation>su entrada para {name} no coincide con manifest.json</translation>
    </message>
    <message>
      <source>its vault id, audit head or build time differ from JSON</source>
      <translation>su id de bóveda, final de auditoría u hora de creación no coinciden con el JSON</translation>
    </message>
    <message>
      <source>extra: outside the packet folder in the ZIP</source>
      <translation>sobra: está fuera de la carpeta del paquete en el ZIP</translation>
    </message>
    <message>
      <source>extra: not listed in the manifest</source>
      <translation>sobra: no figura en el manifiesto</translation>
    </message>
    <message>
      <source>missing: listed in the manifest but not in the packet</source>
      <translation>falta: figura en el manifiesto pero no está en el paquete</translation>
    </message>
    <message>
      <source>missing: the packet is not signed, so a consistent rewrite of its files and manifests could not be told from the original (only --with-vault can vouch for it)</source>
      <translation>falta: el paquete no está firmado, así que no se podría distinguir del original una reescritura coherente de sus archivos y manifiestos (solo --with-vault puede responder por él)</translation>
    </message>
    <message>
      <source>cannot be checked: a manifest it signs is missing</source>
      <translation>no se puede comprobar: falta un manifiesto que firma</translation>
    </message>
    <message>
      <source>signed by key {fingerprint}, not the key manifest.json names</source>
      <translation>firmado con la clave {fingerprint}, no con la que indica manifest.json</translation>
    </message>
    <message>
      <source>signed by a different key: {fingerprint} (expected {wanted})</source>
      <translation>firmado con otra clave: {fingerprint} (se esperaba {wanted})</translation>
    </message>
    <message>
      <source>cannot be checked: manifest.json is missing</source>
      <translation>no se puede comprobar: falta manifest.json</translation>
    </message>
    <message>
      <source>cannot be read ({exc})</source>
      <translation>no se puede leer ({exc})</translation>
    </message>
    <message>
      <source>changed: {size} bytes, the manifest says {size2} (SHA-256 {digest})</source>
      <translation>modificado: {size} bytes, el manifiesto dice {size2} (SHA-256 {digest})</translation>
    </message>
    <message>
      <source>changed: SHA-256 is {digest}, the manifest says {sha256}</source>
      <translation>modificado: el SHA-256 es {digest}, el manifiesto dice {sha256}</translation>
    </message>
    <message>
      <source>its entry for {path} does not agree with the main manifest</source>
      <translation>su entrada para {path} no coincide con el manifiesto principal</translation>
    </message>
  </context>
  <context>
    <name>documents.signing</name>
    <message>
      <source>The certificate file could not be opened: its password is wrong, or it is not a PKCS#12 (.p12 / .pfx) file.</source>
      <translation>No se pudo abrir el archivo del certificado: su contraseña es incorrecta, o no es un archivo PKCS#12 (.p12 / .pfx).</translation>
    </message>
    <message>
      <source>The certificate file could not be used ({__name__}).</source>
      <translation>No se pudo usar el archivo del certificado ({__name__}).</translation>
    </message>
    <message>
      <source>The certificate file holds no certificate with its private key.</source>
      <translation>El archivo del certificado no contiene ningún certificado con su clave privada.</translation>
    </message>
    <message>
      <source>The PDF could not be signed ({__name__}: {exc}).</source>
      <translation>No se pudo firmar el PDF ({__name__}: {exc}).</translation>
    </message>
  </context>
  <context>
    <name>documents.timestamp</name>
    <message>
      <source>The time-stamp authority address {url} is not an http(s) URL.</source>
      <translation>La dirección de la autoridad de sellado de tiempo {url} no es una URL http(s).</translation>
    </message>
    <message>
      <source>The time-stamp authority at {url} answered HTTP {code} ({reason}).</source>
      <translation>La autoridad de sellado de tiempo en {url} respondió HTTP {code} ({reason}).</translation>
    </message>
    <message>
      <source>The time-stamp authority at {url} could not be reached ({reason}).</source>
      <translation>No se pudo llegar a la autoridad de sellado de tiempo en {url} ({reason}).</translation>
    </message>
    <message>
      <source>The time-stamp authority at {url} sent an oversized answer.</source>
      <translation>La autoridad de sellado de tiempo en {url} envió una respuesta demasiado grande.</translation>
    </message>
    <message>
      <source>The time-stamp authority{where} sent an answer that is not an RFC 3161 time-stamp response ({exc}).</source>
      <translation>La autoridad de sellado de tiempo{where} envió una respuesta que no es una respuesta de sellado de tiempo RFC 3161 ({exc}).</translation>
    </message>
    <message>
      <source> at {url}</source>
      <translation> en {url}</translation>
    </message>
    <message>
      <source>The time-stamp authority{where} refused the request ({code}{extra}: {said}).</source>
      <translation>La autoridad de sellado de tiempo{where} rechazó la solicitud ({code}{extra}: {said}).</translation>
    </message>
    <message>
      <source>, {sorted}</source>
      <translation>, {sorted}</translation>
    </message>
    <message>
      <source>The time-stamp authority{where} granted a stamp but sent no readable token ({exc}).</source>
      <translation>La autoridad de sellado de tiempo{where} concedió un sello pero no envió un token legible ({exc}).</translation>
    </message>
    <message>
      <source>The time-stamp authority{where} stamped a different digest than the one asked.</source>
      <translation>La autoridad de sellado de tiempo{where} selló un resumen distinto del que se pidió.</translation>
    </message>
    <message>
      <source>The time-stamp authority{where} answered with the wrong nonce.</source>
      <translation>La autoridad de sellado de tiempo{where} respondió con un nonce equivocado.</translation>
    </message>
  </context>
  <context>
    <name>documents.validators</name>
    <message>
      <source>The {document} cannot be produced. Missing: {labels}.</source>
      <translation>No se puede preparar {document}. Falta: {labels}.</translation>
    </message>
    <message>
      <source>only copies of originals the client owns, matched by their pixels and confirmed by a reviewer (left out: {shown})</source>
      <translation>solo copias de originales cuyos derechos de autor son de su cliente, que coinciden por sus píxeles y confirmadas por una persona revisora (quedan fuera: {shown})</translation>
    </message>
    <message>
      <source>signature</source>
      <translation>firma</translation>
    </message>
    <message>
      <source>identification and location of each depiction</source>
      <translation>identificación y ubicación de cada imagen</translation>
    </message>
    <message>
      <source>good-faith statement that the depiction is not consensual</source>
      <translation>declaración de buena fe de que la imagen no es consentida</translation>
    </message>
    <message>
      <source>contact information</source>
      <translation>datos de contacto</translation>
    </message>
    <message>
      <source>statement of authority to act for the person depicted</source>
      <translation>declaración de la autoridad para actuar en nombre de la persona que aparece</translation>
    </message>
    <message>
      <source>legal name of the person depicted (this platform requires it)</source>
      <translation>nombre legal de la persona que aparece (esta plataforma lo pide)</translation>
    </message>
    <message>
      <source>identification of the copyrighted work</source>
      <translation>identificación de la obra protegida por derechos de autor</translation>
    </message>
    <message>
      <source>good-faith statement that the use is not authorised</source>
      <translation>declaración de buena fe de que el uso no está autorizado</translation>
    </message>
    <message>
      <source>statement of accuracy and, under penalty of perjury, of authority</source>
      <translation>declaración de exactitud y, bajo pena de perjurio, de autoridad</translation>
    </message>
    <message>
      <source>answer to whether the site is a covered platform under 47 U.S.C. § 223a (yes, no or unsure)</source>
      <translation>respuesta a si el sitio es una plataforma cubierta según 47 U.S.C. § 223a (sí, no o no se sabe)</translation>
    </message>
    <message>
      <source>confirmation that the client owns the copyright of the originals copied (for example a selfie)</source>
      <translation>confirmación de que su cliente tiene los derechos de autor de los originales copiados (por ejemplo, una selfie)</translation>
    </message>
    <message>
      <source>TAKE IT DOWN Act removal request</source>
      <translation>la solicitud de retiro según la Ley TAKE IT DOWN</translation>
    </message>
    <message>
      <source>DMCA notice</source>
      <translation>el aviso DMCA</translation>
    </message>
    <message>
      <source>search de-indexing request</source>
      <translation>la solicitud de desindexación en buscadores</translation>
    </message>
    <message>
      <source>platform report</source>
      <translation>el reporte a la plataforma</translation>
    </message>
    <message>
      <source>preservation letter</source>
      <translation>la carta de preservación</translation>
    </message>
    <message>
      <source>NCMEC report sheet</source>
      <translation>la hoja de reporte al NCMEC</translation>
    </message>
    <message>
      <source>document</source>
      <translation>el documento</translation>
    </message>
  </context>
  <context>
    <name>vision.classifier</name>
    <message>
      <source>Check the model's manifest entry against docs/models.md (input size, layout, channels, score and score_index), or remove the entry.</source>
      <translation>Compare la entrada del manifiesto del modelo con docs/models.md (input size, layout, channels, score y score_index), o quite la entrada.</translation>
    </message>
    <message>
      <source>The model file for '{name}' changed while it was being loaded.</source>
      <translation>El archivo del modelo '{name}' cambió mientras se cargaba.</translation>
    </message>
    <message>
      <source>Run 'ncii-desk models verify', then try again.</source>
      <translation>Ejecute 'ncii-desk models verify' y vuelva a intentarlo.</translation>
    </message>
    <message>
      <source>{where} says dtype = "float32", but the graph's input '{input_name}' is {type}.</source>
      <translation>{where} dice dtype = "float32", pero la entrada '{input_name}' del grafo es {type}.</translation>
    </message>
    <message>
      <source>The manifest entry '{name}' (models.{name}.input)</source>
      <translation>La entrada del manifiesto '{name}' (models.{name}.input)</translation>
    </message>
    <message>
      <source>{where}: the graph's input '{input_name}' has shape {shape}, not a batch of pictures (4 dimensions); 'layout' cannot describe it.</source>
      <translation>{where}: la entrada '{input_name}' del grafo tiene la forma {shape}, no un lote de imágenes (4 dimensiones); 'layout' no puede describirla.</translation>
    </message>
    <message>
      <source>{where} says layout = "{layout}", but the graph's input shape is {shape}: position {channels_at} holds {shape2}, not the 3 colour channels.</source>
      <translation>{where} dice layout = "{layout}", pero la forma de entrada del grafo es {shape}: la posición {channels_at} contiene {shape2}, no los 3 canales de color.</translation>
    </message>
    <message>
      <source>Set input.layout to match the graph (NCHW: [N, 3, H, W]; NHWC: [N, H, W, 3]).</source>
      <translation>Ponga input.layout de acuerdo con el grafo (NCHW: [N, 3, H, W]; NHWC: [N, H, W, 3]).</translation>
    </message>
    <message>
      <source>{where} says size = [{width}, {height}], but the graph's input shape is {shape}: its {label} is {have}.</source>
      <translation>{where} dice size = [{width}, {height}], pero la forma de entrada del grafo es {shape}: su {label} es {have}.</translation>
    </message>
    <message>
      <source>Set input.size = [width, height] to what the graph takes.</source>
      <translation>Ponga input.size = [width, height] con lo que recibe el grafo.</translation>
    </message>
    <message>
      <source>{where} says {declared}, but the graph takes exactly {batch} picture(s) at a time (input shape {shape}).</source>
      <translation>{where} dice {declared}, pero el grafo recibe exactamente {batch} imagen(es) por vez (forma de entrada {shape}).</translation>
    </message>
    <message>
      <source>Set input.batch = {batch} so the pictures are given to it {batch} at a time.</source>
      <translation>Ponga input.batch = {batch} para que reciba las imágenes de a {batch} por vez.</translation>
    </message>
    <message>
      <source>no batch</source>
      <translation>sin lote</translation>
    </message>
    <message>
      <source>batch = {batch}</source>
      <translation>batch = {batch}</translation>
    </message>
    <message>
      <source>The manifest entry '{name}' needs input.size = [width, height] and output.score = "p-fake" or "p-real".</source>
      <translation>La entrada del manifiesto '{name}' necesita input.size = [width, height] y output.score = "p-fake" o "p-real".</translation>
    </message>
    <message>
      <source>The model '{name}' has no input called '{_input}' (it has {value}); fix input.tensor.</source>
      <translation>El modelo '{name}' no tiene ninguna entrada llamada '{_input}' (tiene {value}); corrija input.tensor.</translation>
    </message>
    <message>
      <source>The model '{name}' has no output called '{_output}' (it has {outputs}); fix output.names.</source>
      <translation>El modelo '{name}' no tiene ninguna salida llamada '{_output}' (tiene {outputs}); corrija output.names.</translation>
    </message>
    <message>
      <source>The model '{name}' gives {shape} value(s) per input, so output.score_index = {score_index} does not exist.</source>
      <translation>El modelo '{name}' da {shape} valor(es) por entrada, así que output.score_index = {score_index} no existe.</translation>
    </message>
    <message>
      <source>The model '{name}' gave values outside 0..1 ({float} to {float2}), so they are not probabilities.</source>
      <translation>El modelo '{name}' dio valores fuera de 0..1 ({float} a {float2}), así que no son probabilidades.</translation>
    </message>
    <message>
      <source>Set output.activation = "sigmoid" or "softmax" when the graph ends in raw scores (logits), and point output.score_index at the probability.</source>
      <translation>Ponga output.activation = "sigmoid" o "softmax" cuando el grafo termina en puntuaciones sin procesar (logits), y haga que output.score_index apunte a la probabilidad.</translation>
    </message>
    <message>
      <source>The model '{name}' is a {task} model, not a deepfake classifier.</source>
      <translation>El modelo '{name}' es un modelo de {task}, no un clasificador de deepfakes.</translation>
    </message>
    <message>
      <source>Deepfake classifiers in the manifest: {classifier_names}.</source>
      <translation>Clasificadores de deepfakes en el manifiesto: {classifier_names}.</translation>
    </message>
  </context>
  <context>
    <name>vision.mesonet</name>
    <message>
      <source>Check that the MesoNet weight file is one of the four published .h5 files and that the architecture (meso4 / mesoinception4) matches its name.</source>
      <translation>Compruebe que el archivo de pesos de MesoNet es uno de los cuatro archivos .h5 publicados y que la arquitectura (meso4 / mesoinception4) coincide con su nombre.</translation>
    </message>
    <message>
      <source>The weight file has no '{param}' for layer '{layer}'.</source>
      <translation>El archivo de pesos no tiene '{param}' para la capa '{layer}'.</translation>
    </message>
    <message>
      <source>The MesoNet weight file could not be read as HDF5.</source>
      <translation>El archivo de pesos de MesoNet no se pudo leer como HDF5.</translation>
    </message>
    <message>
      <source>Layer '{layer}' has kernel {shape} / bias {shape2}, expected {expected} / ({filters},).</source>
      <translation>La capa '{layer}' tiene kernel {shape} / bias {shape2}; se esperaba {expected} / ({filters},).</translation>
    </message>
    <message>
      <source>Layer '{layer}' does not have {channels} channels.</source>
      <translation>La capa '{layer}' no tiene {channels} canales.</translation>
    </message>
    <message>
      <source>Layer '{layer}' has kernel {shape}, expected {value}.</source>
      <translation>La capa '{layer}' tiene kernel {shape}; se esperaba {value}.</translation>
    </message>
  </context>
  <context>
    <name>vision.metadata.c2pa</name>
    <message>
      <source>The C2PA trust anchors file {path} (named in {C2PA_TRUST_ENV}) cannot be read: {exc}.</source>
      <translation>El archivo de anclas de confianza C2PA {path} (indicado en {C2PA_TRUST_ENV}) no se puede leer: {exc}.</translation>
    </message>
    <message>
      <source>Point {C2PA_TRUST_ENV} at a PEM file of root certificates, or unset it.</source>
      <translation>Haga que {C2PA_TRUST_ENV} apunte a un archivo PEM de certificados raíz, o quítela.</translation>
    </message>
    <message>
      <source>The C2PA trust anchors file {path} holds no PEM certificate.</source>
      <translation>El archivo de anclas de confianza C2PA {path} no contiene ningún certificado PEM.</translation>
    </message>
  </context>
  <context>
    <name>vision.registry</name>
    <message>
      <source>Run 'ncii-desk models verify' to see which model files are missing.</source>
      <translation>Ejecute 'ncii-desk models verify' para ver qué archivos de modelos faltan.</translation>
    </message>
    <message>
      <source>Replace the file with a fresh copy from its source.</source>
      <translation>Reemplace el archivo con una copia nueva de su origen.</translation>
    </message>
    <message>
      <source>The model manifest {path} does not exist.</source>
      <translation>El manifiesto de modelos {path} no existe.</translation>
    </message>
    <message>
      <source>Reinstall NCII Desk, or point to an existing manifest file.</source>
      <translation>Reinstale NCII Desk, o indique un archivo de manifiesto que exista.</translation>
    </message>
    <message>
      <source>The model manifest (models/manifest.toml) is missing from this installation.</source>
      <translation>Falta el manifiesto de modelos (models/manifest.toml) en esta instalación.</translation>
    </message>
    <message>
      <source>Reinstall NCII Desk; the manifest comes with the application.</source>
      <translation>Reinstale NCII Desk; el manifiesto viene con la aplicación.</translation>
    </message>
    <message>
      <source>No model called '{name}' is listed in the model manifest.</source>
      <translation>No hay ningún modelo llamado '{name}' en el manifiesto de modelos.</translation>
    </message>
    <message>
      <source>Known models: {_specs}.</source>
      <translation>Modelos conocidos: {_specs}.</translation>
    </message>
  </context>
  <context>
    <name>vision.runtime</name>
    <message>
      <source>Install the newest NCII Desk (it brings a newer onnxruntime); if the model was added by your clinic, check that it is a single self-contained .onnx file.</source>
      <translation>Instale la versión más reciente de NCII Desk (trae un onnxruntime más nuevo); si su organización añadió el modelo, compruebe que sea un único archivo .onnx autónomo.</translation>
    </message>
    <message>
      <source>intra_op_threads must be at least 1, got {intra_op_threads}.</source>
      <translation>intra_op_threads debe ser al menos 1; se indicó {intra_op_threads}.</translation>
    </message>
    <message>
      <source>onnxruntime {__version__} could not load the model '{key}': {errors}</source>
      <translation>onnxruntime {__version__} no pudo cargar el modelo '{key}': {errors}</translation>
    </message>
    <message>
      <source>The model '{name}' is a {format} file, not ONNX; onnxruntime cannot open it directly.</source>
      <translation>El modelo '{name}' es un archivo {format}, no ONNX; onnxruntime no puede abrirlo directamente.</translation>
    </message>
    <message>
      <source>Use the converter for this model (MesoNet weights are rebuilt as an ONNX graph by ncii_desk.vision.mesonet), or list an ONNX export in the manifest.</source>
      <translation>Use el convertidor de este modelo (los pesos de MesoNet se reconstruyen como grafo ONNX con ncii_desk.vision.mesonet), o indique en el manifiesto una exportación ONNX.</translation>
    </message>
  </context>
  <context>
    <name>clinic.auditseal</name>
    <message>
      <source>The clinic store is closed.</source>
      <translation>El almacén de la clínica está cerrado.</translation>
    </message>
  </context>
  <context>
    <name>clinic.caseblobs</name>
    <message>
      <source>The stored files of case {case_id} are encrypted with the case's own key, and this clinic store was opened without a member's keys.</source>
      <translation>Los archivos guardados del caso {case_id} están cifrados con la clave propia del caso, y este almacén de la clínica se abrió sin las claves de un miembro.</translation>
    </message>
    <message>
      <source>Open the clinic store as a member of the case (--member ID and your passphrase).</source>
      <translation>Abra el almacén de la clínica como miembro del caso (--member ID y su frase de contraseña).</translation>
    </message>
    <message>
      <source>The clinic store check was cancelled before it finished.</source>
      <translation>La comprobación del almacén de la clínica se canceló antes de terminar.</translation>
    </message>
    <message>
      <source>{hashed_only} stored file(s) of cases you are not a member of were checked by their encrypted form only (its SHA-256 against the recorded one); a member of those cases checks their content.</source>
      <translation>{hashed_only} archivo(s) guardado(s) de casos de los que usted no es miembro se comprobaron solo en su forma cifrada (su SHA-256 frente al registrado); un miembro de esos casos comprueba su contenido.</translation>
    </message>
  </context>
  <context>
    <name>clinic.casekeys</name>
    <message>
      <source>Open the clinic store as a member (--member ID and your passphrase); case data on a clinic server is readable only with a member's keys.</source>
      <translation>Abra el almacén de la clínica como miembro (--member ID y su frase de contraseña); los datos de los casos en un servidor de clínica solo se leen con las claves de un miembro.</translation>
    </message>
    <message>
      <source>This clinic store was opened without a member's keys.</source>
      <translation>Este almacén de clínica se abrió sin las claves de un miembro.</translation>
    </message>
    <message>
      <source>You are not a member of case {case_id}, so you cannot change it.</source>
      <translation>Usted no es miembro del caso {case_id}, así que no puede cambiarlo.</translation>
    </message>
  </context>
  <context>
    <name>clinic.clinickeys</name>
    <message>
      <source>Nothing was written. Open the clinic store as a member (--member ID): members receive the newest clinic key. A removed member cannot.</source>
      <translation>No se escribió nada. Abra el almacén de la clínica como miembro (--member ID): los miembros reciben la clave más nueva de la clínica. Un miembro quitado no puede.</translation>
    </message>
    <message>
      <source>Version {version} of the clinic key cannot be reached from the clinic key this client holds (version {newest}).</source>
      <translation>No se puede llegar a la versión {version} de la clave de la clínica desde la clave de la clínica que tiene este equipo (versión {newest}).</translation>
    </message>
    <message>
      <source>The clinic's key-chain row was removed or damaged; ask your administrator to restore the clinic database from a backup.</source>
      <translation>La fila de la cadena de claves de la clínica se borró o está dañada; pida a la persona que administra la clínica que restaure la base de datos desde una copia de seguridad.</translation>
    </message>
    <message>
      <source>This key is no version of this clinic's data key.</source>
      <translation>Esta clave no es ninguna versión de la clave de datos de esta clínica.</translation>
    </message>
    <message>
      <source>Open the clinic store as a member (--member ID), or give the right key.</source>
      <translation>Abra el almacén de la clínica como miembro (--member ID) o indique la clave correcta.</translation>
    </message>
    <message>
      <source>The clinic key stored for you as version {claimed} is not that version of the clinic key: it was altered or replaced in the database.</source>
      <translation>La clave de la clínica guardada para usted como versión {claimed} no es esa versión de la clave de la clínica: se alteró o se sustituyó en la base de datos.</translation>
    </message>
    <message>
      <source>The clinic key stored for member {member_id} does not open with that member's key: it was altered, or copied from another member.</source>
      <translation>La clave de la clínica guardada para el miembro {member_id} no se abre con la clave de ese miembro: fue alterada o copiada de otro miembro.</translation>
    </message>
    <message>
      <source>The clinic key stored for member {member_id} is version {newest}, but the clinic moved to version {announced}: the member row was put back from an older state of the database.</source>
      <translation>La clave de la clínica guardada para el miembro {member_id} es la versión {newest}, pero la clínica pasó a la versión {announced}: la fila del miembro se repuso desde un estado anterior de la base de datos.</translation>
    </message>
    <message>
      <source>The clinic key was replaced (version {announced_version}) since this clinic store was opened with version {newest}.</source>
      <translation>La clave de la clínica se sustituyó (versión {announced_version}) después de abrir este almacén de la clínica con la versión {newest}.</translation>
    </message>
    <message>
      <source>Member {member_id} was removed from this clinic; nothing was written.</source>
      <translation>El miembro {member_id} fue quitado de esta clínica; no se escribió nada.</translation>
    </message>
    <message>
      <source>Ask an admitted member if this is a mistake; a removed member joins anew.</source>
      <translation>Si es un error, pregunte a un miembro admitido; un miembro quitado tiene que unirse de nuevo.</translation>
    </message>
  </context>
  <context>
    <name>clinic.errors</name>
    <message>
      <source>Check the database address and that the clinic server is running; your clinic's administrator can see the server's log.</source>
      <translation>Revise la dirección de la base de datos y que el servidor de la clínica esté funcionando; la persona que administra la clínica puede ver el registro del servidor.</translation>
    </message>
    <message>
      <source>Remove that character from what was typed or pasted (a platform name, a ticket number, a label) and try again. Sealed values (names, notes, addresses) may hold it; the clinic server's other text columns may not.</source>
      <translation>Quite ese carácter de lo que se escribió o pegó (un nombre de plataforma, un número de ticket, una etiqueta) e inténtelo de nuevo. Los valores cifrados (nombres, notas, direcciones) pueden contenerlo; las demás columnas de texto del servidor de la clínica no.</translation>
    </message>
    <message>
      <source>Nothing of this change was saved. Try again; if it happens again, run 'ncii-desk verify' against the clinic store and tell your administrator: something other than NCII Desk is writing to the database.</source>
      <translation>No se guardó nada de este cambio. Inténtelo de nuevo; si vuelve a pasar, ejecute 'ncii-desk verify' con el almacén de la clínica y avise a quien lo administra: algo distinto de NCII Desk está escribiendo en la base de datos.</translation>
    </message>
    <message>
      <source>Check the member id (ncii-desk clinic members lists them), or join the clinic first with 'ncii-desk clinic join --db ADDRESS --name NAME'.</source>
      <translation>Compruebe el identificador de miembro (ncii-desk clinic members los muestra), o únase primero a la clínica con 'ncii-desk clinic join --db DIRECCIÓN --name NOMBRE'.</translation>
    </message>
    <message>
      <source>Ask a member of the clinic who is still admitted to add you again (you join anew with 'ncii-desk clinic join').</source>
      <translation>Pida a un miembro de la clínica que siga admitido que vuelva a añadirle (se vuelve a unir con 'ncii-desk clinic join').</translation>
    </message>
    <message>
      <source>Ask a member who is still admitted to remove you and admit you again; if they see the same error, the clinic database was altered and needs checking.</source>
      <translation>Pida a un miembro que siga admitido que le quite y le vuelva a admitir; si ve el mismo error, la base de datos de la clínica fue alterada y hay que revisarla.</translation>
    </message>
    <message>
      <source>Ask a member of the case to add you to it ('ncii-desk case add-member CASE MEMBER_ID').</source>
      <translation>Pida a un miembro del caso que le añada ('ncii-desk case add-member CASO ID_MIEMBRO').</translation>
    </message>
    <message>
      <source>Ask a supervising attorney on the case to make the change, or to give you a role that allows it. If you should be allowed, ask your clinic's administrator to check your database login ('ncii-desk clinic-server logins').</source>
      <translation>Pida a un abogado/a supervisor/a del caso que haga el cambio o que le dé una función que lo permita. Si debería estar permitido, pida a la persona que administra la clínica que compruebe su acceso a la base de datos ('ncii-desk clinic-server logins').</translation>
    </message>
  </context>
  <context>
    <name>clinic.hashseal</name>
    <message>
      <source>A stored value of {table}.{column} was sealed for another case than its row's (it was moved there in the database).</source>
      <translation>Un valor guardado de {table}.{column} se selló para otro caso distinto del de su fila (se movió allí en la base de datos).</translation>
    </message>
    <message>
      <source>Tell the clinic's administrator which value it is.</source>
      <translation>Diga al administrador de la clínica de qué valor se trata.</translation>
    </message>
    <message>
      <source>A {table} row to be stored names no case.</source>
      <translation>Una fila de {table} que se iba a guardar no indica ningún caso.</translation>
    </message>
    <message>
      <source>The hashes to be stored name an unknown item {item_id}.</source>
      <translation>Los hashes que se iban a guardar nombran un elemento desconocido {item_id}.</translation>
    </message>
  </context>
  <context>
    <name>clinic.members</name>
    <message>
      <source>Nothing was changed. Ask the new member to read their fingerprint out again (ncii-desk prints it at 'clinic join'); if it still differs, someone may have put another key in the clinic database: do not admit it and tell your administrator.</source>
      <translation>No se cambió nada. Pida al nuevo miembro que vuelva a leer en voz alta su huella (ncii-desk la muestra en 'clinic join'); si sigue sin coincidir, alguien pudo poner otra clave en la base de datos de la clínica: no la admita y avise a su administrador.</translation>
    </message>
    <message>
      <source>A member's display name must be 1 to 200 characters.</source>
      <translation>El nombre visible de un miembro debe tener entre 1 y 200 caracteres.</translation>
    </message>
    <message>
      <source>Give the name the other members know you by (--name or --member-name).</source>
      <translation>Indique el nombre con el que le conocen los demás miembros (--name o --member-name).</translation>
    </message>
    <message>
      <source>This clinic already has members; the first member is made only at init.</source>
      <translation>Esta clínica ya tiene miembros; el primer miembro solo se crea al inicializarla.</translation>
    </message>
    <message>
      <source>Join with 'ncii-desk clinic join' and ask a member to admit you.</source>
      <translation>Únase con 'ncii-desk clinic join' y pida a un miembro que le admita.</translation>
    </message>
    <message>
      <source>Only a member can {what}; this clinic store was opened with a bare key.</source>
      <translation>Solo un miembro puede {what}; este almacén de clínica se abrió con una clave sin miembro.</translation>
    </message>
    <message>
      <source>Open it as a member (--member ID).</source>
      <translation>Ábralo como miembro (--member ID).</translation>
    </message>
    <message>
      <source>Member {member_id} is {status}, not waiting to be admitted.</source>
      <translation>El miembro {member_id} está {status}, no esperando a ser admitido.</translation>
    </message>
    <message>
      <source>A removed member joins anew with 'ncii-desk clinic join'.</source>
      <translation>Un miembro quitado vuelve a unirse con 'ncii-desk clinic join'.</translation>
    </message>
    <message>
      <source>The fingerprint you typed does not match the key of member {member_id}: the member was not admitted.</source>
      <translation>La huella que escribió no coincide con la clave del miembro {member_id}: no se admitió al miembro.</translation>
    </message>
    <message>
      <source>You cannot remove yourself from the clinic.</source>
      <translation>No puede quitarse a sí mismo de la clínica.</translation>
    </message>
    <message>
      <source>Ask another admitted member to remove you.</source>
      <translation>Pida a otro miembro admitido que le quite.</translation>
    </message>
    <message>
      <source>Member {member_id} was already removed.</source>
      <translation>El miembro {member_id} ya fue quitado.</translation>
    </message>
    <message>
      <source>Type the passphrase you opened the clinic store with (check Caps Lock).</source>
      <translation>Escriba la frase de contraseña con la que abrió el almacén de la clínica (compruebe Bloq Mayús).</translation>
    </message>
  </context>
  <context>
    <name>clinic.ops</name>
    <message>
      <source>Nothing was changed. Try again in a minute; for an upgrade, ask everyone to close NCII Desk first.</source>
      <translation>No se cambió nada. Inténtelo de nuevo en un minuto; para una actualización, pida antes a todos que cierren NCII Desk.</translation>
    </message>
    <message>
      <source>A client is saving to the clinic store at {shown_url} right now (it holds the writer lock), so the upgrade did not start.</source>
      <translation>Un cliente está guardando ahora mismo en el almacén de la clínica en {shown_url} (tiene el bloqueo de escritura), así que la actualización no empezó.</translation>
    </message>
    <message>
      <source>The clinic store has schema revision {before}, which this version of NCII Desk does not know (its newest is {target}).</source>
      <translation>El almacén de la clínica tiene la revisión de esquema {before}, que esta versión de NCII Desk no conoce (la más nueva que conoce es {target}).</translation>
    </message>
    <message>
      <source>Run the upgrade with the newest version of NCII Desk; never downgrade a clinic store.</source>
      <translation>Haga la actualización con la versión más nueva de NCII Desk; nunca vuelva atrás la versión de un almacén de clínica.</translation>
    </message>
    <message>
      <source>The blob folder {folder} is not the one made for this clinic ({CLINIC_ID_FILE} is missing or names another clinic).</source>
      <translation>La carpeta de archivos {folder} no es la que se creó para esta clínica (falta {CLINIC_ID_FILE} o nombra otra clínica).</translation>
    </message>
    <message>
      <source>Give the clinic's blob folder as this computer sees it (--blobs).</source>
      <translation>Indique la carpeta de archivos de la clínica tal como la ve esta computadora (--blobs).</translation>
    </message>
    <message>
      <source>clinic.id</source>
      <translation>clinic.id</translation>
    </message>
    <message>
      <source>The blob folder {here} cannot be read ({value}).</source>
      <translation>No se puede leer la carpeta de archivos cifrados {here} ({value}).</translation>
    </message>
    <message>
      <source>Run the check as the account that owns the clinic's blob folder.</source>
      <translation>Haga la comprobación con la cuenta dueña de la carpeta de archivos cifrados de la clínica.</translation>
    </message>
    <message>
      <source>A client kept the writer lock of the clinic store at {shown_url} for more than {SWEEP_LOCK_WAIT}, so nothing was swept.</source>
      <translation>Un cliente mantuvo el bloqueo de escritura del almacén de la clínica en {shown_url} durante más de {SWEEP_LOCK_WAIT}, así que no se apartó nada.</translation>
    </message>
    <message>
      <source>30s</source>
      <translation>30 s</translation>
    </message>
    <message>
      <source>The grace period cannot be negative.</source>
      <translation>El período de gracia no puede ser negativo.</translation>
    </message>
    <message>
      <source>Give --grace-minutes 0 or more.</source>
      <translation>Indique --grace-minutes 0 o más.</translation>
    </message>
  </context>
  <context>
    <name>clinic.rls</name>
    <message>
      <source>Run this with the address of the clinic database's owner, whose PostgreSQL login has the CREATEROLE attribute (ALTER ROLE owner CREATEROLE, as the postgres superuser).</source>
      <translation>Ejecute esto con la dirección del propietario de la base de datos de la clínica, cuyo acceso de PostgreSQL tiene el atributo CREATEROLE (ALTER ROLE propietario CREATEROLE, como superusuario postgres).</translation>
    </message>
    <message>
      <source>PostgreSQL refused to manage the clinic's logins ({reason}).</source>
      <translation>PostgreSQL se negó a gestionar los accesos de la clínica ({reason}).</translation>
    </message>
    <message>
      <source>Member {member_id} is {status}; only an admitted member gets a login.</source>
      <translation>El miembro {member_id} está {status}; solo un miembro admitido recibe un acceso.</translation>
    </message>
    <message>
      <source>Admit them first ('ncii-desk clinic admit').</source>
      <translation>Admítalo primero ('ncii-desk clinic admit').</translation>
    </message>
    <message>
      <source>A removed member gets no login.</source>
      <translation>Un miembro quitado no recibe ningún acceso.</translation>
    </message>
    <message>
      <source>The clinic has no joining login.</source>
      <translation>La clínica no tiene acceso para unirse.</translation>
    </message>
    <message>
      <source>Nothing to do ('ncii-desk clinic-server logins' lists the logins).</source>
      <translation>No hay nada que hacer ('ncii-desk clinic-server logins' enumera los accesos).</translation>
    </message>
    <message>
      <source>The clinic has no member with the id {strip}.</source>
      <translation>La clínica no tiene ningún miembro con el identificador {strip}.</translation>
    </message>
    <message>
      <source>Give the member id as 'ncii-desk clinic-server logins' lists it.</source>
      <translation>Indique el identificador de miembro tal como lo enumera 'ncii-desk clinic-server logins'.</translation>
    </message>
    <message>
      <source>Member {member_id} has no database login.</source>
      <translation>El miembro {member_id} no tiene acceso a la base de datos.</translation>
    </message>
  </context>
  <context>
    <name>clinic.sealing</name>
    <message>
      <source>The stored value of {table}.{column} of row {row_id} is not an encrypted value (it was written in clear).</source>
      <translation>El valor guardado de {table}.{column} de la fila {row_id} no es un valor cifrado (se escribió en claro).</translation>
    </message>
  </context>
  <context>
    <name>clinic.store</name>
    <message>
      <source>The clinic store address must start with postgresql://.</source>
      <translation>La dirección del almacén de la clínica debe empezar con postgresql://.</translation>
    </message>
    <message>
      <source>Give it as postgresql://USER@HOST:PORT/DATABASE.</source>
      <translation>Escríbala como postgresql://USUARIO@SERVIDOR:PUERTO/BASE_DE_DATOS.</translation>
    </message>
    <message>
      <source>Clinic server mode needs the PostgreSQL driver psycopg, which is not installed.</source>
      <translation>El modo de servidor de la clínica necesita el controlador de PostgreSQL psycopg, que no está instalado.</translation>
    </message>
    <message>
      <source>Install the clinic part: pip install 'ncii-desk[clinic]'.</source>
      <translation>Instale la parte de la clínica: pip install 'ncii-desk[clinic]'.</translation>
    </message>
    <message>
      <source>The clinic database at {shown_url} could not be reached ({reason}).</source>
      <translation>No se pudo conectar con la base de datos de la clínica en {shown_url} ({reason}).</translation>
    </message>
    <message>
      <source>The clinic server cannot store a value holding the invisible NUL character (U+0000); nothing of this change was saved.</source>
      <translation>El servidor de la clínica no puede guardar un valor que contiene el carácter invisible NUL (U+0000); no se guardó nada de este cambio.</translation>
    </message>
    <message>
      <source>The clinic needs a name.</source>
      <translation>La clínica necesita un nombre.</translation>
    </message>
    <message>
      <source>Give one with --name.</source>
      <translation>Indíquelo con --name.</translation>
    </message>
    <message>
      <source>The blob folder {blobs_dir} already belongs to a clinic.</source>
      <translation>La carpeta de archivos {blobs_dir} ya pertenece a una clínica.</translation>
    </message>
    <message>
      <source>Give an empty folder (or a new one) with --blobs.</source>
      <translation>Indique una carpeta vacía (o una nueva) con --blobs.</translation>
    </message>
    <message>
      <source>The database at {shown_url} is not empty ({tables} table(s)); a clinic store is created only in an empty database.</source>
      <translation>La base de datos en {shown_url} no está vacía ({tables} tabla(s)); un almacén de clínica solo se crea en una base de datos vacía.</translation>
    </message>
    <message>
      <source>Create a new database for the clinic (createdb) and give its address.</source>
      <translation>Cree una base de datos nueva para la clínica (createdb) e indique su dirección.</translation>
    </message>
    <message>
      <source>The database at {shown_url} is not a clinic store.</source>
      <translation>La base de datos en {shown_url} no es un almacén de clínica.</translation>
    </message>
    <message>
      <source>Create one with 'ncii-desk clinic-server init --db ADDRESS --blobs FOLDER'.</source>
      <translation>Cree uno con 'ncii-desk clinic-server init --db DIRECCIÓN --blobs CARPETA'.</translation>
    </message>
    <message>
      <source>The clinic store has schema revision {schema_revision}; this version of NCII Desk works with {head_revision}.</source>
      <translation>El almacén de la clínica tiene la revisión de esquema {schema_revision}; esta versión de NCII Desk trabaja con {head_revision}.</translation>
    </message>
    <message>
      <source>Install the newest version of NCII Desk.</source>
      <translation>Instale la versión más reciente de NCII Desk.</translation>
    </message>
    <message>
      <source>Ask your clinic's administrator to run 'ncii-desk clinic-server upgrade --db ADDRESS' on the clinic server first.</source>
      <translation>Pida antes al administrador de su clínica que ejecute 'ncii-desk clinic-server upgrade --db DIRECCIÓN' en el servidor de la clínica.</translation>
    </message>
    <message>
      <source>The clinic's audit log head is no longer event {seen_seq}, which this change was chained to: another writer changed the log without the writer lock.</source>
      <translation>La cabeza del registro de auditoría de la clínica ya no es el evento {seen_seq}, al que se encadenó este cambio: otro proceso cambió el registro sin el candado de escritura.</translation>
    </message>
    <message>
      <source>You are not a member of this case.</source>
      <translation>Usted no es miembro de este caso.</translation>
    </message>
    <message>
      <source>The key record stored for member {member_id} belongs to another member or clinic.</source>
      <translation>El registro de claves guardado para el miembro {member_id} pertenece a otro miembro o a otra clínica.</translation>
    </message>
    <message>
      <source>Several members have an id starting with {given}.</source>
      <translation>Varios miembros tienen un identificador que empieza por {given}.</translation>
    </message>
    <message>
      <source>Give more of the member id (ncii-desk clinic members lists them).</source>
      <translation>Escriba más caracteres del identificador de miembro (ncii-desk clinic members los muestra).</translation>
    </message>
    <message>
      <source>Member {member_id} was removed from this clinic.</source>
      <translation>El miembro {member_id} fue quitado de esta clínica.</translation>
    </message>
    <message>
      <source>Member {member_id} has not been admitted to the clinic yet.</source>
      <translation>El miembro {member_id} aún no ha sido admitido en la clínica.</translation>
    </message>
    <message>
      <source>Read your fingerprint to a member who is already admitted and ask them to run 'ncii-desk clinic admit {member_id} --fingerprint {fingerprint}'.</source>
      <translation>Lea su huella en voz alta a un miembro ya admitido y pídale que ejecute 'ncii-desk clinic admit {member_id} --fingerprint {fingerprint}'.</translation>
    </message>
    <message>
      <source>The clinic's audit log cannot be trusted: {head}.</source>
      <translation>No se puede confiar en el registro de auditoría de la clínica: {head}.</translation>
    </message>
    <message>
      <source>The clinic database shows its audit log up to event {seq}, but this computer already saw event {seen_seq}: the database was rolled back to an older state, or events were removed.</source>
      <translation>La base de datos de la clínica muestra su registro de auditoría hasta el evento {seq}, pero este equipo ya vio el evento {seen_seq}: la base de datos se devolvió a un estado anterior o se quitaron eventos.</translation>
    </message>
    <message>
      <source>Event {seen_seq} of the clinic's audit log is not the one this computer saw: the log was replaced.</source>
      <translation>El evento {seen_seq} del registro de auditoría de la clínica no es el que vio este equipo: el registro fue sustituido.</translation>
    </message>
  </context>
  <context>
    <name>vault.audit</name>
    <message>
      <source>the newest {value} event(s) recorded in audit.head are missing from the database (deleted or rolled back)</source>
      <translation>faltan en la base de datos los {value} evento(s) más reciente(s) que registra audit.head (se borraron o se volvió a una copia anterior)</translation>
    </message>
    <message>
      <source>event {seq} differs from the one audit.head records</source>
      <translation>el evento {seq} no coincide con el que registra audit.head</translation>
    </message>
    <message>
      <source>event {expected_seq} is missing</source>
      <translation>falta el evento {expected_seq}</translation>
    </message>
    <message>
      <source>link to the previous event is broken</source>
      <translation>el enlace con el evento anterior está roto</translation>
    </message>
    <message>
      <source>event was altered (MAC mismatch)</source>
      <translation>el evento se modificó (el MAC no coincide)</translation>
    </message>
    <message>
      <source>found when the vault was opened at {at}: {found}</source>
      <translation>encontrado al abrir la bóveda el {at}: {found}</translation>
    </message>
  </context>
</TS>
